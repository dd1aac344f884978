# promo: PostgreSQL extension built with PGXS.
EXTENSION = promo
EXTVERSION = 0.3
MODULE_big = promo

CORE_SRCS = $(wildcard src/core/*.c)
GLUE_SRCS = $(wildcard src/pg/*.c)
OBJS = $(CORE_SRCS:.c=.o) $(GLUE_SRCS:.c=.o)

# Extension scripts.  The full script of the version being built is the
# module sources concatenated in dependency order (model first).  Every
# released version's full script is kept frozen in src/sql/released/, and
# src/sql/upgrade/ holds one hand-written script per version step with only
# what changed; the upgrade test updates each released version to this one
# and compares the catalogue with a fresh install.
SQL_MODULES = src/sql/model.sql src/sql/similarity.sql src/sql/linreg.sql src/sql/logreg.sql \
	src/sql/metrics.sql src/sql/assign.sql \
	src/sql/scaler.sql src/sql/kmeans.sql src/sql/markov.sql \
	src/sql/features.sql src/sql/segments.sql src/sql/offers.sql src/sql/score.sql src/sql/campaigns.sql \
	src/sql/privileges.sql
RELEASED = $(sort $(wildcard src/sql/released/promo--*.sql))
UPGRADES = $(sort $(wildcard src/sql/upgrade/promo--*--*.sql))
DATA_built = promo--$(EXTVERSION).sql
DATA = $(RELEASED) $(UPGRADES)

REGRESS = $(patsubst sql/%.sql,%,$(sort $(wildcard sql/*.sql)))
REGRESS_OPTS = --inputdir=. --load-extension=promo

PG_CONFIG ?= /usr/lib/postgresql/15/bin/pg_config

# Serial OpenBLAS, found through an rpath so no backend ever starts BLAS threads.
OPENBLAS_LIBDIR ?= /usr/lib/x86_64-linux-gnu/openblas-serial
OPENBLAS_INCDIR ?= /usr/include/x86_64-linux-gnu/openblas-serial

PG_CPPFLAGS = -I$(OPENBLAS_INCDIR) -Isrc/core -DMATHLIB_STANDALONE
PG_CFLAGS = -Wall -Wextra -Werror -Wno-unused-parameter -Wno-sign-compare -Wno-missing-field-initializers
SHLIB_LINK = -L$(OPENBLAS_LIBDIR) -Wl,-rpath,$(OPENBLAS_LIBDIR) -lopenblas -lRmath -lm

PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

# The core is plain C11: it must build without PostgreSQL headers.
src/core/%.o: override CPPFLAGS := -I$(OPENBLAS_INCDIR) -Isrc/core -DMATHLIB_STANDALONE
src/core/%.o: override CFLAGS += -std=c11 -O3

promo--$(EXTVERSION).sql: $(SQL_MODULES)
	cat $(SQL_MODULES) > $@

# A version bump without its upgrade script (or control file) fails the build.
all: check-version
check-version:
	@scripts/check_version.sh $(EXTVERSION)

# C unit tests of the core, linked against the same OpenBLAS.
UNIT_SRCS = $(wildcard test/unit/*.c)
test/unit/run_tests: $(UNIT_SRCS) $(CORE_SRCS) $(wildcard src/core/*.h)
	$(CC) -std=c11 -O2 -g -Wall -Wextra -Werror -Isrc/core -I$(OPENBLAS_INCDIR) -DMATHLIB_STANDALONE \
		-o $@ $(UNIT_SRCS) $(CORE_SRCS) \
		-L$(OPENBLAS_LIBDIR) -Wl,-rpath,$(OPENBLAS_LIBDIR) -lopenblas -lRmath -lm

# A libFuzzer run over the core (ASan and UBSan), FUZZ_SECONDS long.
FUZZ_SECONDS ?= 15
test/fuzz/fuzz_core: test/fuzz/fuzz_core.c $(CORE_SRCS) $(wildcard src/core/*.h)
	$(CLANG) -std=c11 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
		-Isrc/core -I$(OPENBLAS_INCDIR) -DMATHLIB_STANDALONE \
		-o $@ test/fuzz/fuzz_core.c $(CORE_SRCS) \
		-L$(OPENBLAS_LIBDIR) -Wl,-rpath,$(OPENBLAS_LIBDIR) -lopenblas -lRmath -lm

.PHONY: unittest fuzz fuzz-sql test demo check-version
fuzz: test/fuzz/fuzz_core
	test/fuzz/fuzz_core -max_total_time=$(FUZZ_SECONDS) -seed=1 -print_final_stats=1 \
		-artifact_prefix=test/fuzz/ > test/fuzz/fuzz.log 2>&1 || { tail -n 40 test/fuzz/fuzz.log; exit 1; }
	grep -E '^(Done|stat::number_of_executed_units)' test/fuzz/fuzz.log
# SQLsmith over promo's functions on a throwaway cluster, FUZZ_SQL_SECONDS long.
FUZZ_SQL_SECONDS ?= 60
fuzz-sql:
	FUZZ_SQL_SECONDS=$(FUZZ_SQL_SECONDS) scripts/fuzz_sql.sh

unittest: test/unit/run_tests
	test/unit/run_tests

test:
	scripts/test.sh

demo:
	scripts/demo.sh

EXTRA_CLEAN = test/unit/run_tests test/fuzz/fuzz_core test/fuzz/fuzz.log test/fuzz/sql results regression.diffs regression.out

# PGXS does not track headers: any header change rebuilds every object.
$(OBJS): $(wildcard src/core/*.h src/pg/*.h)
