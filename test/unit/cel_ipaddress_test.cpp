// Unit tests for OpenFGA's ipaddress type: ipaddress(), .in_cidr() and
// equality, with the parsing rules of Go's net/netip.
#include <gtest/gtest.h>

#include <string>

#include "core/cel/ipaddress.h"
#include "core/cel/program.h"

namespace agentauthz::core::cel {
namespace {

Outcome run(std::string_view expression) {
  CompileError error;
  auto program = Program::compile(expression, {}, &error);
  if (!program) {
    ADD_FAILURE() << expression << ": " << error.message;
    return Outcome{};
  }
  return program->evaluate(Activation());
}

bool in_cidr(const std::string& ip, const std::string& cidr) {
  Outcome outcome = run("ipaddress('" + ip + "').in_cidr('" + cidr + "')");
  EXPECT_NE(outcome.result, Result::Error) << ip << " " << cidr << ": " << outcome.error;
  return outcome.result == Result::True;
}

TEST(CelIpAddress, OpenFgaLiteralExamples) {
  EXPECT_EQ(run("ipaddress(\"192.168.0.1\").in_cidr(\"192.168.0.0/24\")").result, Result::True);
  Outcome malformed = run("ipaddress(\"192.168.0\").in_cidr(\"192.168.0.0/24\")");
  EXPECT_EQ(malformed.result, Result::Error);
  EXPECT_EQ(malformed.error, "ParseAddr(\"192.168.0\"): IPv4 address too short");
}

TEST(CelIpAddress, InCidr) {
  EXPECT_TRUE(in_cidr("10.1.2.3", "10.0.0.0/8"));
  EXPECT_FALSE(in_cidr("11.1.2.3", "10.0.0.0/8"));
  EXPECT_TRUE(in_cidr("10.1.2.3", "10.1.2.3/32"));
  EXPECT_TRUE(in_cidr("1.2.3.4", "0.0.0.0/0"));
  EXPECT_TRUE(in_cidr("192.168.1.200", "192.168.1.128/25"));
  EXPECT_FALSE(in_cidr("192.168.1.100", "192.168.1.128/25"));
  EXPECT_TRUE(in_cidr("10.0.0.1", "10.0.0.99/24"));  // host bits are masked
  EXPECT_TRUE(in_cidr("2001:db8::1", "2001:db8::/32"));
  EXPECT_FALSE(in_cidr("2001:db9::1", "2001:db8::/32"));
  EXPECT_FALSE(in_cidr("10.0.0.1", "::/0"));               // families differ
  EXPECT_FALSE(in_cidr("::ffff:10.0.0.1", "10.0.0.0/8"));  // mapped is IPv6
  EXPECT_FALSE(in_cidr("fe80::1%eth0", "fe80::/10"));      // zoned addresses are in no prefix
}

TEST(CelIpAddress, Errors) {
  Outcome bad_cidr = run("ipaddress('10.0.0.1').in_cidr('10.0.0.0/33')");
  EXPECT_EQ(bad_cidr.error, "'10.0.0.0/33' is a malformed CIDR string");
  EXPECT_EQ(run("ipaddress('10.0.0.1').in_cidr('10.0.0.0')").error,
            "'10.0.0.0' is a malformed CIDR string");
  EXPECT_EQ(run("ipaddress('10.0.0.1').in_cidr('10.0.0.0/08')").error,
            "'10.0.0.0/08' is a malformed CIDR string");
  EXPECT_EQ(run("ipaddress('010.0.0.1') == ipaddress('10.0.0.1')").error,
            "ParseAddr(\"010.0.0.1\"): IPv4 field has octet with leading zero");
  EXPECT_EQ(run("ipaddress('256.0.0.1') == ipaddress('10.0.0.1')").error,
            "ParseAddr(\"256.0.0.1\"): IPv4 field has value >255");
  EXPECT_EQ(run("ipaddress('1:2:3') == ipaddress('::1')").error,
            "ParseAddr(\"1:2:3\"): address string too short");
  EXPECT_EQ(run("ipaddress('1::2::3') == ipaddress('::1')").error,
            "ParseAddr(\"1::2::3\"): multiple :: in address");
  EXPECT_EQ(run("ipaddress('') == ipaddress('::1')").error, "ParseAddr(\"\"): unable to parse IP");
}

TEST(CelIpAddress, Equality) {
  EXPECT_EQ(run("ipaddress('10.0.0.1') == ipaddress('10.0.0.1')").result, Result::True);
  EXPECT_EQ(run("ipaddress('::1') == ipaddress('0:0:0:0:0:0:0:1')").result, Result::True);
  EXPECT_EQ(run("ipaddress('10.0.0.1') != ipaddress('::ffff:10.0.0.1')").result, Result::True);
}

TEST(CelIpAddress, ParsesAndFormatsLikeNetip) {
  auto round_trip = [](const std::string& text) {
    IpAddress address;
    std::string error;
    EXPECT_TRUE(parse_ip_address(text, &address, &error)) << text << ": " << error;
    return format_ip_address(address);
  };
  EXPECT_EQ(round_trip("192.168.0.1"), "192.168.0.1");
  EXPECT_EQ(round_trip("::"), "::");
  EXPECT_EQ(round_trip("::1"), "::1");
  EXPECT_EQ(round_trip("2001:DB8:0:0:1:0:0:1"), "2001:db8::1:0:0:1");
  EXPECT_EQ(round_trip("1:0:0:2:0:0:0:3"), "1:0:0:2::3");
  EXPECT_EQ(round_trip("::ffff:1.2.3.4"), "::ffff:1.2.3.4");
  EXPECT_EQ(round_trip("fe80::1%eth0"), "fe80::1%eth0");
  EXPECT_EQ(round_trip("1:2:3:4:5:6:7:8"), "1:2:3:4:5:6:7:8");
  EXPECT_EQ(round_trip("1::"), "1::");
  IpAddress address;
  for (const char* bad : {"1.2.3", "1.2.3.4.5", "1.2.3.", "::1%", "12345::", "1:2:3:4:5:6:7:8:9",
                          "1:2:3:4:5:6:7::8", ":1", "1:", "1.2.3.4:80", "a.b.c.d", "1.2.3.-4"})
    EXPECT_FALSE(parse_ip_address(bad, &address, nullptr)) << bad;
}

}  // namespace
}  // namespace agentauthz::core::cel
