"""What the three clients share: where the API is, whom to trust, how long to wait, which proxy.

One :class:`Endpoint` per source, read from its settings and the environment the same way for
all three: the base URL with or without a trailing slash; ``https`` required (plain ``http``
only to a loopback address, where nothing crosses a network: local test servers; never for
PagerDuty, whose client refuses it); the CA
bundle with ``~`` expanded; one timeout in seconds for connecting and for each read; and the
proxy: the source's own ``proxy`` setting, else ``HTTPS_PROXY`` (``HTTP_PROXY`` for a loopback
``http`` URL) unless ``NO_PROXY`` names the host.
"""

from __future__ import annotations

import ipaddress
import os
import ssl
import urllib.request
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import msgspec

from ingest.errors import ConfigError

EXAMPLES = {
    "pagerduty": "https://api.pagerduty.com or https://api.eu.pagerduty.com",
    "github": "https://api.github.com or https://HOST/api/v3",
    "slack": "https://slack.com/api/",
}


class Endpoint(msgspec.Struct, frozen=True):
    """One source's connection settings, checked."""

    source: str
    base_url: str  # no trailing slash
    host: str  # host:port, for messages
    timeout: float
    ca_file: str  # the CA bundle path, ``~`` expanded; "" for the system's trust store
    ssl_context: ssl.SSLContext | None  # trusting ``ca_file``; None without one
    proxy: str  # the proxy URL to go through; "" for a direct connection

    @property
    def verify(self) -> ssl.SSLContext | bool:
        return self.ssl_context or True


def endpoint(
    source: str,
    settings: Any,
    environ: Mapping[str, str] | None = None,
    *,
    loopback_http: bool = True,
) -> Endpoint:
    """The checked :class:`Endpoint` of ``settings`` (a ``*Settings`` of ``ingest.config``);
    ConfigError naming the setting for a bad URL, an unreadable CA bundle or a bad proxy.
    ``loopback_http`` False refuses plain http even to a loopback address (the PagerDuty
    client accepts nothing but https)."""
    environ = os.environ if environ is None else environ
    base_url = str(settings.base_url).strip().rstrip("/")
    parts = urlsplit(base_url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise ConfigError(
            f"{source}.base_url {settings.base_url!r} is not a URL such as {EXAMPLES[source]}"
        )
    if parts.scheme == "http" and not (loopback_http and is_loopback(parts.hostname)):
        only = "; plain http is only accepted for a loopback address" if loopback_http else ""
        raise ConfigError(
            f"{source}.base_url {settings.base_url!r} must start with https:// (for example "
            f"{EXAMPLES[source]}){only}"
        )
    timeout = float(settings.timeout)
    if not timeout > 0:
        raise ConfigError(f"{source}.timeout must be more than 0 seconds, not {timeout:g}")
    ca_file = str(Path(settings.ca_bundle).expanduser()) if settings.ca_bundle else ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return Endpoint(
        source=source,
        base_url=base_url,
        host=f"{parts.hostname}:{port}",
        timeout=timeout,
        ca_file=ca_file,
        ssl_context=_ssl_context(source, settings.ca_bundle, ca_file),
        proxy=_proxy(source, str(getattr(settings, "proxy", "") or ""), parts, environ),
    )


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _ssl_context(source: str, given: str, path: str) -> ssl.SSLContext | None:
    """A TLS context trusting the PEM file at ``path``; None when no bundle is configured."""
    if not path:
        return None
    try:
        return ssl.create_default_context(cafile=path)
    except (OSError, ssl.SSLError) as e:
        raise ConfigError(
            f"{source}.ca_bundle {given!r} is not a readable PEM CA bundle "
            f"({e.__class__.__name__}): point it at the CA certificate file"
        ) from e


def _proxy(source: str, setting: str, target: Any, environ: Mapping[str, str]) -> str:
    if setting.strip():
        return _checked_proxy(setting.strip(), f"{source}.proxy")
    names = ("HTTPS_PROXY", "https_proxy")
    if target.scheme == "http":
        names = ("HTTP_PROXY", "http_proxy")
    name, value = next(((n, environ[n]) for n in names if environ.get(n, "").strip()), ("", ""))
    if not value:
        return ""
    no_proxy = environ.get("NO_PROXY") or environ.get("no_proxy") or ""
    host = target.hostname + (f":{target.port}" if target.port else "")
    if no_proxy and urllib.request.proxy_bypass_environment(host, {"no": no_proxy}):
        return ""
    return _checked_proxy(value.strip(), name)


def _checked_proxy(value: str, where: str) -> str:
    parts = urlsplit(value if "://" in value else f"http://{value}")
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(
            f"{where} {value!r} is not a proxy URL such as http://proxy.example.com:3128"
        )
    return parts.geturl()


def proxy_host(proxy: str) -> str:
    """``host:port`` of a proxy URL, without any user or password it carries."""
    parts = urlsplit(proxy)
    return f"{parts.hostname}:{parts.port or (443 if parts.scheme == 'https' else 80)}"
