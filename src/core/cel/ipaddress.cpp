#include "core/cel/ipaddress.h"

#include <cstdio>
#include <vector>

namespace agentauthz::core::cel {

namespace {

// Parses dotted-quad IPv4 into four bytes; *why says what is wrong.
bool parse_v4(std::string_view text, uint8_t* bytes, const char** why) {
  int field = 0;
  int digits = 0;
  int value = 0;
  for (char c : text) {
    if (c >= '0' && c <= '9') {
      if (digits == 1 && value == 0) {
        *why = "IPv4 field has octet with leading zero";
        return false;
      }
      value = value * 10 + (c - '0');
      ++digits;
      if (value > 255) {
        *why = "IPv4 field has value >255";
        return false;
      }
    } else if (c == '.') {
      if (digits == 0) {
        *why = "IPv4 field must have at least one digit";
        return false;
      }
      if (field == 3) {
        *why = "IPv4 address too long";
        return false;
      }
      bytes[field++] = static_cast<uint8_t>(value);
      digits = value = 0;
    } else {
      *why = "unexpected character";
      return false;
    }
  }
  if (digits == 0) {
    *why = field == 3 ? "IPv4 field must have at least one digit" : "IPv4 address too short";
    return false;
  }
  if (field < 3) {
    *why = "IPv4 address too short";
    return false;
  }
  bytes[3] = static_cast<uint8_t>(value);
  return true;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Parses IPv6 (with "::" and an optional trailing IPv4) into 16 bytes.
bool parse_v6(std::string_view text, uint8_t* bytes, const char** why) {
  int ellipsis = -1;  // group index where "::" stands
  int groups = 0;
  size_t at = 0;
  if (text.substr(0, 2) == "::") {
    ellipsis = 0;
    at = 2;
    if (at == text.size()) {
      for (int i = 0; i < 16; ++i) bytes[i] = 0;
      return true;
    }
  }
  while (at < text.size()) {
    if (groups == 8) {
      *why = "trailing garbage after address";
      return false;
    }
    size_t start = at;
    int value = 0;
    int length = 0;
    while (at < text.size() && hex_value(text[at]) >= 0) {
      value = value * 16 + hex_value(text[at]);
      ++length;
      ++at;
      if (length > 4) {
        *why = "IPv6 field has value >=2^16";
        return false;
      }
    }
    if (length == 0) {
      *why = "each colon-separated field must have at least one digit";
      return false;
    }
    if (at < text.size() && text[at] == '.') {
      if (groups > 6) {
        *why = "embedded IPv4 address must replace the final 2 fields of the address";
        return false;
      }
      uint8_t v4[4];
      const char* v4_why = nullptr;
      if (!parse_v4(text.substr(start), v4, &v4_why)) {
        *why = v4_why;
        return false;
      }
      for (int i = 0; i < 4; ++i) bytes[groups * 2 + i] = v4[i];
      groups += 2;
      at = text.size();
      break;
    }
    bytes[static_cast<size_t>(groups) * 2] = static_cast<uint8_t>(value >> 8);
    bytes[static_cast<size_t>(groups) * 2 + 1] = static_cast<uint8_t>(value);
    ++groups;
    if (at == text.size()) break;
    if (text[at] != ':') {
      *why = "unexpected character, want colon";
      return false;
    }
    ++at;
    if (at < text.size() && text[at] == ':') {
      if (ellipsis >= 0) {
        *why = "multiple :: in address";
        return false;
      }
      ellipsis = groups;
      ++at;
      if (at == text.size()) break;
    } else if (at == text.size()) {
      *why = "colon must be followed by more characters";
      return false;
    }
  }
  if (groups < 8 && ellipsis < 0) {
    *why = "address string too short";
    return false;
  }
  if (ellipsis >= 0) {
    if (groups == 8) {
      *why = "the :: must expand to at least one field of zeros";
      return false;
    }
    int move = groups - ellipsis;
    for (int i = move * 2 - 1; i >= 0; --i) bytes[16 - move * 2 + i] = bytes[ellipsis * 2 + i];
    for (int i = ellipsis * 2; i < 16 - move * 2; ++i) bytes[i] = 0;
  }
  return true;
}

}  // namespace

// Picks IPv4 or IPv6 by the separators present, as netip.ParseAddr.
bool parse_ip_address(std::string_view text, IpAddress* out, std::string* error) {
  IpAddress address;
  const char* why = "unable to parse IP";
  bool ok = false;
  size_t colon = text.find(':');
  size_t dot = text.find('.');
  if (text.empty()) {
    why = "unable to parse IP";
  } else if (colon == std::string_view::npos && dot != std::string_view::npos) {
    address.v4 = true;
    ok = parse_v4(text, address.bytes.data(), &why);
  } else if (colon != std::string_view::npos) {
    std::string_view body = text;
    size_t percent = text.find('%');
    if (percent != std::string_view::npos) {
      address.zone = std::string(text.substr(percent + 1));
      body = text.substr(0, percent);
      if (address.zone.empty()) why = "zone must be a non-empty string";
    }
    if (percent == std::string_view::npos || !address.zone.empty())
      ok = parse_v6(body, address.bytes.data(), &why);
  }
  if (!ok) {
    if (error) *error = "ParseAddr(\"" + std::string(text) + "\"): " + why;
    return false;
  }
  *out = address;
  return true;
}

// Splits at the last '/', reads the bits (no leading zeros) and the address.
bool parse_ip_prefix(std::string_view text, IpPrefix* out) {
  size_t slash = text.rfind('/');
  if (slash == std::string_view::npos) return false;
  std::string_view bits_text = text.substr(slash + 1);
  if (bits_text.empty() || bits_text.size() > 3) return false;
  if (bits_text.size() > 1 && bits_text[0] == '0') return false;
  int bits = 0;
  for (char c : bits_text) {
    if (c < '0' || c > '9') return false;
    bits = bits * 10 + (c - '0');
  }
  IpPrefix prefix;
  if (!parse_ip_address(text.substr(0, slash), &prefix.address, nullptr)) return false;
  if (!prefix.address.zone.empty()) return false;
  if (bits > (prefix.address.v4 ? 32 : 128)) return false;
  prefix.bits = bits;
  *out = prefix;
  return true;
}

bool prefix_contains(const IpPrefix& prefix, const IpAddress& address) {
  if (prefix.address.v4 != address.v4 || !address.zone.empty()) return false;
  int whole = prefix.bits / 8;
  int rest = prefix.bits % 8;
  for (int i = 0; i < whole; ++i)
    if (prefix.address.bytes[i] != address.bytes[i]) return false;
  if (rest == 0) return true;
  auto mask = static_cast<uint8_t>(0xFF << (8 - rest));
  return (prefix.address.bytes[whole] & mask) == (address.bytes[whole] & mask);
}

// Writes IPv6 per RFC 5952: lowercase, longest zero run (2+) as "::".
std::string format_ip_address(const IpAddress& address) {
  char buffer[64];
  const uint8_t* b = address.bytes.data();
  if (address.v4) {
    std::snprintf(buffer, sizeof buffer, "%d.%d.%d.%d", b[0], b[1], b[2], b[3]);
    return buffer;
  }
  int groups[8];
  for (size_t i = 0; i < 8; ++i) groups[i] = b[2 * i] << 8 | b[2 * i + 1];
  int best_start = -1;
  int best_length = 0;
  for (int i = 0; i < 8;) {
    if (groups[i] != 0) {
      ++i;
      continue;
    }
    int j = i;
    while (j < 8 && groups[j] == 0) ++j;
    if (j - i > best_length && j - i >= 2) {
      best_start = i;
      best_length = j - i;
    }
    i = j;
  }
  std::string text;
  bool mapped = best_start == 0 && best_length == 5 && groups[5] == 0xFFFF;
  for (int i = 0; i < 8; ++i) {
    if (i == best_start) {
      text += "::";
      i += best_length - 1;
      continue;
    }
    if (mapped && i == 6) {
      if (text.back() != ':') text += ":";
      std::snprintf(buffer, sizeof buffer, "%d.%d.%d.%d", b[12], b[13], b[14], b[15]);
      text += buffer;
      break;
    }
    if (!text.empty() && text.back() != ':') text += ":";
    std::snprintf(buffer, sizeof buffer, "%x", groups[i]);
    text += buffer;
  }
  if (!address.zone.empty()) text += "%" + address.zone;
  return text;
}

}  // namespace agentauthz::core::cel
