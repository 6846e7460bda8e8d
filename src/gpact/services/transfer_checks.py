"""What the organisation export and its import (``org_transfer``, ``org_transfer_work``)
share: the row fields every exported row has, bounds, and the checks an import makes of
content it is given (nothing in the file is taken on trust)."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib

from pydantic import BaseModel, ConfigDict, Field

from gpact.services.server_errors import Invalid

INT_MAX = 2**31 - 1  # the database's integer columns
SHA256 = r"^[0-9a-f]{64}$"


class Row(BaseModel):
    """Who made an exported row, and when."""

    model_config = ConfigDict(extra="ignore")
    created_by: str = Field(max_length=400)
    created_at: dt.datetime


def timestamp(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def check_hash(where: str, content: bytes, claimed: str) -> None:
    if hashlib.sha256(content).hexdigest() != claimed:
        raise Invalid([f"{where}: content does not match its sha256 (changed after export?)"])


def decode(where: str, value: str) -> bytes:
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise Invalid([f"{where}.content_base64: not base64"]) from None
