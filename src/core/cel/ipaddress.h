// IP addresses and CIDR ranges for OpenFGA's ipaddress type: what Go's
// net/netip ParseAddr and ParsePrefix accept, and Prefix.Contains.
#pragma once

#include <string>
#include <string_view>

#include "core/cel/value.h"

namespace agentauthz::core::cel {

// Parses "192.168.0.1", "::1", "::ffff:1.2.3.4" or "fe80::1%eth0". On
// failure sets *error to netip's wording, e.g.
// `ParseAddr("192.168.0"): IPv4 address too short`.
bool parse_ip_address(std::string_view text, IpAddress* out, std::string* error);

struct IpPrefix {
  IpAddress address;
  int bits = 0;
};

// Parses "10.0.0.0/8" or "2001:db8::/32" (no zone; host bits may be set).
bool parse_ip_prefix(std::string_view text, IpPrefix* out);

// True if address lies in prefix: same family, no zone, and the first
// `bits` bits equal (an IPv4-mapped IPv6 address is not IPv4).
bool prefix_contains(const IpPrefix& prefix, const IpAddress& address);

// Writes the address as netip does ("10.0.0.1", "2001:db8::1").
std::string format_ip_address(const IpAddress& address);

}  // namespace agentauthz::core::cel
