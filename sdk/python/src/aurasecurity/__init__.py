"""AuraSecurity partner API client.

>>> from aurasecurity import Client
>>> aura = Client("aura_pk_partner_…", base_url="https://aura.example")
>>> sub = aura.scan_repo("owner/repo")
>>> scan = aura.wait_for_result(sub.scan_id, on_progress=lambda e: print(e.event, e.data))
>>> scan.result.verdict
'SAFU'
"""

__version__ = "0.1.0"

from .errors import (  # noqa: E402
    APIConnectionError,
    AuraError,
    AuthenticationError,
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
    ServiceUnavailableError,
    ValidationError,
    WaitTimeoutError,
    WebhookVerificationError,
)
from .types import (  # noqa: E402
    Check,
    Flag,
    LookupResult,
    Scan,
    ScanEvent,
    ScanResult,
    ScanSubmission,
)
from .webhooks import sign_aura, sign_standard, verify_webhook  # noqa: E402
from ._sync import Client  # noqa: E402
from ._async import AsyncClient  # noqa: E402

__all__ = [
    "__version__",
    "Client",
    "AsyncClient",
    "verify_webhook",
    "sign_aura",
    "sign_standard",
    "Scan",
    "ScanResult",
    "ScanSubmission",
    "ScanEvent",
    "LookupResult",
    "Flag",
    "Check",
    "AuraError",
    "AuthenticationError",
    "PermissionDeniedError",
    "NotFoundError",
    "ConflictError",
    "ValidationError",
    "RateLimitError",
    "ServiceUnavailableError",
    "ServerError",
    "APIConnectionError",
    "WaitTimeoutError",
    "WebhookVerificationError",
]
