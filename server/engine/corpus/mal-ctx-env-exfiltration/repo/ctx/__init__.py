from .ctx import Ctx
