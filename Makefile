# Builds and installs the agentauthz extension with PGXS. The pure C++ core
# (src/core) is compiled into the same shared library; its unit tests,
# fuzzers and benchmark tools are built by CMakeLists.txt.
EXTENSION = agentauthz
DATA = $(wildcard agentauthz--*.sql)
MODULE_big = agentauthz

CORE_SRCS = $(sort $(wildcard src/core/*.cpp))
# The adapter: the library's entry (src/pg) and one folder per subsystem.
PG_SRCS = $(sort $(wildcard src/pg/*.cpp src/pg/*/*.cpp))
OBJS = $(CORE_SRCS:.cpp=.o) $(PG_SRCS:.cpp=.o)

REGRESS = $(patsubst sql/%.sql,%,$(sort $(wildcard sql/*.sql)))
REGRESS_OPTS = --inputdir=. --outputdir=build/regress
ISOLATION = $(patsubst test/isolation/specs/%.spec,%,$(sort $(wildcard test/isolation/specs/*.spec)))
ISOLATION_OPTS = --inputdir=test/isolation --outputdir=build/isolation

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
PG_INCLUDEDIR_SERVER := $(shell $(PG_CONFIG) --includedir-server)

# Server headers go on -isystem so their warnings don't drown ours.
override CPPFLAGS := -I$(CURDIR)/src -isystem $(PG_INCLUDEDIR_SERVER) $(CPPFLAGS)
PG_CXXFLAGS = -std=c++17 -fno-strict-aliasing -Wall -Wextra -Wno-unused-parameter -Wno-missing-field-initializers -Wno-register -O2 -MMD -MP
SHLIB_LINK = -lstdc++

# The C++ objects are not compiled to LLVM bitcode for JIT inlining.
override with_llvm := no

include $(PGXS)


# Header dependencies recorded by -MMD.
-include $(OBJS:.o=.d)
