from ._bloom import Bloom  # noqa: F401
