"""DNS: the name resolves, through the system resolver or a given server, to what we expect.

``expect_addresses`` lists the addresses the answer may contain: every address in the answer
must be one of them (a round-robin pool may answer with a subset), so a record that points
somewhere new is caught even when the old address is still among the answers.
"""

from __future__ import annotations

import ipaddress

import dns.asyncresolver
import dns.exception
import dns.resolver

from probes._util import Attempt
from probes.base import ProbeContext, ProbeResult
from probes.config import DnsProbeConfig

__all__ = ["probe_dns"]


async def probe_dns(config: DnsProbeConfig, context: ProbeContext) -> ProbeResult:
    """Resolve once; dnspython's own retransmission within ``timeout`` is the only retry."""
    attempt = Attempt(context)
    try:
        allowed = {ipaddress.ip_address(address) for address in config.expect_addresses}
        resolver = dns.asyncresolver.Resolver(configure=config.server is None)
        if config.server is not None:
            resolver.nameservers = [config.server]
            resolver.port = config.port
        resolver.lifetime = config.timeout.total_seconds()
        answer = await resolver.resolve(config.name, config.record_type, search=False)
    except dns.resolver.NXDOMAIN:
        return attempt.fail("dns", f"{config.name} does not exist (NXDOMAIN)")
    except dns.resolver.NoAnswer:
        return attempt.fail("dns", f"{config.name} has no {config.record_type} record")
    except dns.resolver.LifetimeTimeout:
        return attempt.fail("timeout", f"no DNS answer for {config.name}")
    except dns.resolver.NoNameservers as error:
        return attempt.fail("dns", f"no server answered usefully: {error}")
    except dns.exception.DNSException as error:
        return attempt.fail("dns", f"{type(error).__name__}: {error}")
    except ValueError as error:  # a server or an expected address that is not an IP address
        return attempt.fail("config", str(error))
    except Exception as error:
        return attempt.fail_from(error)

    found = sorted({ipaddress.ip_address(record.to_text()) for record in answer}, key=str)
    details = {
        "addresses": ",".join(map(str, found)),
        "ttl": answer.rrset.ttl if answer.rrset is not None else None,
    }
    if allowed:
        unexpected = [address for address in found if address not in allowed]
        if unexpected:
            return attempt.fail(
                "dns_mismatch",
                f"{config.name} resolved to {', '.join(map(str, unexpected))}, "
                f"expected only {', '.join(config.expect_addresses)}",
                details=details,
            )
    return attempt.ok(details=details)
