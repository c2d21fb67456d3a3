# SPDX-License-Identifier: MIT
# libsearch + cisearch. `make run` builds and searches the bundled seeds; `make test` builds and
# runs every test. Each build variant lives in build/<variant>/ so switching needs no clean.

V ?= release
BUILD := build/$(V)
CC ?= cc
PKGS := zlib libdeflate libutf8proc jansson libxxhash

WARN := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wformat=2 -Wvla \
        -Wimplicit-fallthrough -Wpointer-arith -Wundef
ifeq ($(WERROR),1)
WARN += -Werror
endif

ifeq ($(V),release)
OPT := -O2 -g
else ifeq ($(V),asan)
OPT := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined
SAN_LD := -fsanitize=address,undefined
else ifeq ($(V),tsan)
OPT := -O1 -g -fno-omit-frame-pointer -fsanitize=thread
SAN_LD := -fsanitize=thread
else ifeq ($(V),debug)
OPT := -O0 -g
else ifeq ($(V),coverage)
OPT := -O0 -g --coverage
SAN_LD := --coverage
else
$(error unknown variant V=$(V): use release, asan, tsan, debug or coverage)
endif

PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
LIB_DEPS = $(PKG_LIBS) -lstemmer -lz -lm -pthread

BASE_CFLAGS := -std=c11 -D_GNU_SOURCE $(OPT) $(WARN) -MMD -MP
LIB_CFLAGS = $(BASE_CFLAGS) -fPIC -fvisibility=hidden -DLS_BUILDING_LIBRARY \
             -Ilibsearch -Ilibsearch/include $(PKG_CFLAGS)
CLI_CFLAGS = $(BASE_CFLAGS) -Ilibsearch/include $(PKG_CFLAGS) \
             -DCISEARCH_SEEDS_DIR='"$(abspath seeds)"'
TEST_CFLAGS = $(BASE_CFLAGS) -include $(BUILD)/gen/suite_decls.h -Ilibsearch -Ilibsearch/include -Itests -I$(BUILD)/gen $(PKG_CFLAGS) \
              $(shell pkg-config --cflags check 2>/dev/null) \
              -DLS_TEST_CISEARCH='"$(abspath $(BUILD)/cisearch)"' \
              -DLS_TEST_SEEDS_DIR='"$(abspath seeds)"' -DLS_TEST_SRCDIR='"$(abspath .)"'
CONVERSION_DIRS := libsearch/codec

LIB_SRC := $(sort $(wildcard libsearch/*/*.c))
CLI_SRC := $(sort $(wildcard cli/*.c))
TEST_SRC := $(sort $(wildcard tests/*.c tests/*/*.c))
# ---- cisearch serve (cli/serve/): its own module linked into cisearch; page.html embedded ----
SERVE_SRC := $(filter-out cli/serve/test_%.c,$(sort $(wildcard cli/serve/*.c)))
SERVE_OBJ := $(SERVE_SRC:%.c=$(BUILD)/obj/%.o) $(BUILD)/obj/gen/serve_page.o
SERVE_TEST_SRC := $(sort $(wildcard cli/serve/test_*.c))
SERVE_LIBS = $(shell pkg-config --libs libmicrohttpd 2>/dev/null || echo -lmicrohttpd)
TEST_SRC += $(SERVE_TEST_SRC)
LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/obj/%.o)
CLI_OBJ := $(CLI_SRC:%.c=$(BUILD)/obj/%.o) $(SERVE_OBJ)
# ---- cisearch-mpi (cli/mpi/): shards on the ranks of an Open MPI job; it shares the CLI's
# modules but not cisearch's command table (main.c, cmd_*.c) nor the server ----
MPI_SRC := $(sort $(wildcard cli/mpi/*.c))
MPI_OBJ := $(MPI_SRC:%.c=$(BUILD)/obj/%.o) \
           $(patsubst %.c,$(BUILD)/obj/%.o,$(filter-out cli/main.c cli/cmd_%.c,$(CLI_SRC)))
MPI_CFLAGS = $(CLI_CFLAGS) $(shell mpicc --showme:compile 2>/dev/null)
MPI_LIBS = $(shell mpicc --showme:link 2>/dev/null || echo -lmpi)
CISEARCH_MPI := $(BUILD)/cisearch-mpi
TEST_OBJ := $(TEST_SRC:%.c=$(BUILD)/obj/%.o)
# CLI modules with their own unit tests (pure functions, no main) link into the runner too.
TEST_CLI_OBJ := $(patsubst %.c,$(BUILD)/obj/%.o,$(wildcard cli/eval_metrics.c cli/extract.c cli/jsonl_fast.c))
# Further objects linked into the test runner (fuzz targets replayed by `make test`).
TEST_EXTRA_OBJ :=

SOMAJOR := 0
STATIC_LIB := $(BUILD)/libsearch.a
SHARED_LIB := $(BUILD)/libsearch.so.$(SOMAJOR)
CISEARCH := $(BUILD)/cisearch
TEST_RUNNER := $(BUILD)/run_tests

.PHONY: all deps run test test-python test-mpi check test-long asan tsan valgrind bench bench-quick bench-mpi bench-checksum bench-zchunk bench-jsonl bench-update bench-compare eval eval-loo \
        format lint install uninstall clean
.DEFAULT_GOAL := all

all: deps
	@$(MAKE) --no-print-directory build-all

deps:
	@./scripts/deps.sh

build-all: $(STATIC_LIB) $(SHARED_LIB) $(CISEARCH) $(CISEARCH_MPI)

run: all
	$(CISEARCH) "25-year agreement"

test: all
	@$(MAKE) --no-print-directory $(TEST_RUNNER)
	$(TEST_RUNNER)
	@$(MAKE) --no-print-directory test-python
	@$(MAKE) --no-print-directory test-mpi

# cisearch-mpi under mpirun (several ranks on this machine, loopback only) against one index.
# Under a sanitizer every rank writes its reports to files (ranks other than 0 have no
# stderr), and any report fails the run (Open MPI's own leaks are not looked for).
test-mpi: all
ifeq ($(SAN_LD),)
	CISEARCH=$(abspath $(CISEARCH)) CISEARCH_MPI=$(abspath $(CISEARCH_MPI)) \
	    $(PYTHON) -B -m pytest -q tests/mpi
else
	rm -rf $(BUILD)/mpi-reports && mkdir -p $(BUILD)/mpi-reports
	CISEARCH=$(abspath $(CISEARCH)) CISEARCH_MPI=$(abspath $(CISEARCH_MPI)) \
	    ASAN_OPTIONS=detect_leaks=0:log_path=$(abspath $(BUILD))/mpi-reports/asan \
	    UBSAN_OPTIONS=log_path=$(abspath $(BUILD))/mpi-reports/ubsan \
	    $(PYTHON) -B -m pytest -q tests/mpi
	@if [ -n "$$(ls $(BUILD)/mpi-reports)" ]; then cat $(BUILD)/mpi-reports/*; exit 1; fi
endif

PYTHON ?= /usr/bin/python3
# The Python binding (python/) against this build's shared library (release only: an ASan or
# TSan library cannot be loaded into an uninstrumented python).
test-python: all
ifeq ($(V),release)
	LIBSEARCH_LIBRARY=$(abspath $(SHARED_LIB)) $(PYTHON) -B -m pytest -q python/tests
else
	@echo "test-python: skipped for V=$(V) (a sanitizer build cannot be loaded into python)"
endif

check: test

test-long: all
	@$(MAKE) --no-print-directory $(TEST_RUNNER)
	LS_TEST_LONG=1 $(TEST_RUNNER)

asan:
	@$(MAKE) --no-print-directory V=asan test

# The suites that run threads (readers beside a writer, searches sharing a reader), under
# ThreadSanitizer.
tsan:
	@$(MAKE) --no-print-directory V=tsan all
	@$(MAKE) --no-print-directory V=tsan build/tsan/run_tests
	CK_RUN_SUITE=lifecycle build/tsan/run_tests
	CK_RUN_SUITE=concurrent build/tsan/run_tests
	CK_RUN_SUITE=faults CK_RUN_CASE=alloc build/tsan/run_tests

valgrind: all
	@$(MAKE) --no-print-directory $(TEST_RUNNER)
	CK_FORK=no LS_TEST_VALGRIND=1 valgrind --error-exitcode=9 --leak-check=full \
	    --errors-for-leak-kinds=definite,indirect $(TEST_RUNNER)

$(BUILD)/obj/libsearch/%.o: libsearch/%.c
	@mkdir -p $(dir $@)
	$(CC) $(LIB_CFLAGS) $(if $(filter $(CONVERSION_DIRS),$(patsubst %/,%,$(dir $<))),-Wconversion) -c $< -o $@

$(BUILD)/obj/cli/%.o: cli/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CLI_CFLAGS) -c $< -o $@

$(BUILD)/obj/cli/mpi/%.o: cli/mpi/%.c
	@mkdir -p $(dir $@)
	$(CC) $(MPI_CFLAGS) -c $< -o $@

# The serve suites are test code living beside the module: test flags (the shorter stem wins).
$(BUILD)/obj/cli/serve/test_%.o: cli/serve/test_%.c $(BUILD)/gen/suites.h
	@mkdir -p $(dir $@)
	$(CC) $(TEST_CFLAGS) -c $< -o $@

# The search page, compiled into the binary.
$(BUILD)/gen/serve_page.c: cli/serve/page.html cli/serve/embed.sh
	@mkdir -p $(dir $@)
	cli/serve/embed.sh $< $@ serve_page_html

$(BUILD)/obj/gen/serve_page.o: $(BUILD)/gen/serve_page.c
	@mkdir -p $(dir $@)
	$(CC) $(CLI_CFLAGS) -c $< -o $@

$(BUILD)/obj/tests/%.o: tests/%.c $(BUILD)/gen/suites.h
	@mkdir -p $(dir $@)
	$(CC) $(TEST_CFLAGS) -c $< -o $@

# The runner's suite table is generated from the `Suite *ls_suite_NAME(void)` definitions.
# suite_decls.h declares them for every test file (-include), so definitions need no prototype.
$(BUILD)/gen/suites.h: $(TEST_SRC)
	@mkdir -p $(dir $@)
	@grep -ho '^Suite \*ls_suite_[a-z0-9_]*(void)' $(TEST_SRC) | sed 's/^Suite \*\(.*\)(void)/LS_SUITE(\1)/' \
	    | sort -u > $@.tmp && mv $@.tmp $@
	@{ echo '#include <check.h>'; sed 's/LS_SUITE(\(.*\))/Suite *\1(void);/' $@; } > $(BUILD)/gen/suite_decls.h

$(STATIC_LIB): $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(SHARED_LIB): $(LIB_OBJ) libsearch/libsearch.map
	$(CC) -shared -Wl,-soname,libsearch.so.$(SOMAJOR) -Wl,--version-script=libsearch/libsearch.map \
	    -Wl,--no-undefined $(SAN_LD) -o $@ $(LIB_OBJ) $(LIB_DEPS)
	ln -sf libsearch.so.$(SOMAJOR) $(BUILD)/libsearch.so

$(CISEARCH): $(CLI_OBJ) $(STATIC_LIB)
	$(CC) $(SAN_LD) -o $@ $(CLI_OBJ) $(STATIC_LIB) $(LIB_DEPS) $(SERVE_LIBS)

$(CISEARCH_MPI): $(MPI_OBJ) $(STATIC_LIB)
	$(CC) $(SAN_LD) -o $@ $(MPI_OBJ) $(STATIC_LIB) $(LIB_DEPS) $(MPI_LIBS)

-include fuzz/fuzz.mk

$(TEST_RUNNER): $(TEST_OBJ) $(TEST_CLI_OBJ) $(TEST_EXTRA_OBJ) $(STATIC_LIB) $(CISEARCH)
	$(CC) $(SAN_LD) -o $@ $(TEST_OBJ) $(TEST_CLI_OBJ) $(TEST_EXTRA_OBJ) $(STATIC_LIB) $(LIB_DEPS) $(shell pkg-config --libs check)

bench: all
	./bench/bench.sh

bench-quick: all
	BENCH_QUICK=1 ./bench/bench.sh

# cisearch-mpi's batch throughput at 1, 2 and 4 ranks (docs/SCALE.md takes its figures).
bench-mpi: all
	./bench/scale_mpi.sh

# The four-collection table in both query readings, then the leave-one-collection-out choice
# (docs/RELEVANCE.md "Choice protocol"). eval-loo alone: the choice only (EVAL_GRID=full for
# the larger grid).
eval: all
	./eval/run.sh $(CISEARCH)
	EVAL_READING=lenient ./eval/run.sh $(CISEARCH)
	./eval/loo.py $(CISEARCH) --grid $(or $(EVAL_GRID),small)

eval-loo: all
	./eval/loo.py $(CISEARCH) --grid $(or $(EVAL_GRID),small)

# Query latency per class beside Xapian, Lucene and FTS5 (bench/compare.sh; the peers are built and
# their Debian packages installed by bench/peers/build_*.sh): CISI + MED replicated
# COMPARE_K times (default 5).
bench-compare: all
	@mkdir -p build/compare
	python3 bench/make_corpus.py $(or $(LS_EVAL_DIR),../shared/eval) $(or $(COMPARE_K),5) \
	    build/compare/corpus.jsonl build/compare/queries.tsv
	./bench/compare.sh build/compare/corpus.jsonl

# An update-heavy workload: 10,000 documents replaced in batches of 100, a commit each.
bench-update: all
	$(CC) -O2 -std=c11 -D_GNU_SOURCE -Ilibsearch/include bench/update_workload.c -o $(BUILD)/update_workload \
	    $(STATIC_LIB) $(LIB_DEPS) -lpthread
	rm -rf $(BUILD)/bench-update-index && $(BUILD)/update_workload $(BUILD)/bench-update-index 10000 100
	rm -rf $(BUILD)/bench-update-index

# Why block checks use XXH3 and file footers crc32 (docs/FORMAT.md "Block checks").
bench-checksum: deps
	@mkdir -p $(BUILD)
	$(CC) -O2 -std=c11 -D_GNU_SOURCE bench/checksum_speed.c -o $(BUILD)/checksum_speed \
	    $(shell pkg-config --cflags --libs libxxhash zlib)
	$(BUILD)/checksum_speed

# Stored chunks written by zlib level 3 against libdeflate levels 1..6 (zchunk.c's choice).
ZCHUNK_INPUT ?= $(firstword $(wildcard build/bench/corpora/kernel.jsonl) seeds/*)
bench-zchunk: deps
	@mkdir -p $(BUILD)
	$(CC) -O2 -std=c11 -D_GNU_SOURCE bench/zchunk_speed.c -o $(BUILD)/zchunk_speed \
	    $(shell pkg-config --cflags --libs libdeflate zlib)
	$(BUILD)/zchunk_speed $(ZCHUNK_INPUT)

# JSON lines read by jansson against cli/jsonl_fast.c (then jansson): source.c's choice.
JSONL_INPUT ?= $(firstword $(wildcard build/bench/corpora/kernel.jsonl) build/bench/corpora/gcide.jsonl)
bench-jsonl: deps
	@mkdir -p $(BUILD)
	$(CC) -O2 -std=c11 -D_GNU_SOURCE bench/jsonl_speed.c cli/jsonl_fast.c -o $(BUILD)/jsonl_speed \
	    $(shell pkg-config --cflags --libs jansson)
	$(BUILD)/jsonl_speed $(JSONL_INPUT)

format:
	clang-format -i $(LIB_SRC) $(CLI_SRC) $(TEST_SRC) $(wildcard libsearch/*/*.h libsearch/include/*.h cli/*.h tests/*.h)

lint:
	cppcheck --quiet --enable=warning,performance,portability --inline-suppr \
	    -Ilibsearch -Ilibsearch/include libsearch cli

PREFIX ?= /usr/local
install: all
	install -d $(DESTDIR)$(PREFIX)/lib $(DESTDIR)$(PREFIX)/include $(DESTDIR)$(PREFIX)/bin \
	    $(DESTDIR)$(PREFIX)/lib/pkgconfig
	install -m 644 $(STATIC_LIB) $(DESTDIR)$(PREFIX)/lib/
	install -m 755 $(SHARED_LIB) $(DESTDIR)$(PREFIX)/lib/
	ln -sf libsearch.so.$(SOMAJOR) $(DESTDIR)$(PREFIX)/lib/libsearch.so
	install -m 644 libsearch/include/libsearch.h $(DESTDIR)$(PREFIX)/include/
	install -m 755 $(CISEARCH) $(CISEARCH_MPI) $(DESTDIR)$(PREFIX)/bin/
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@VERSION@|0.1.0|' libsearch/libsearch.pc.in \
	    > $(DESTDIR)$(PREFIX)/lib/pkgconfig/libsearch.pc
	install -d $(DESTDIR)$(PREFIX)/share/man/man1 $(DESTDIR)$(PREFIX)/share/cisearch/seeds \
	    $(DESTDIR)$(PREFIX)/share/bash-completion/completions \
	    $(DESTDIR)$(PREFIX)/share/zsh/site-functions
	install -m 644 cli/cisearch.1 cli/mpi/cisearch-mpi.1 $(DESTDIR)$(PREFIX)/share/man/man1/
	install -m 644 seeds/* $(DESTDIR)$(PREFIX)/share/cisearch/seeds/
	install -m 644 cli/completions/cisearch.bash \
	    $(DESTDIR)$(PREFIX)/share/bash-completion/completions/cisearch
	install -m 644 cli/completions/_cisearch $(DESTDIR)$(PREFIX)/share/zsh/site-functions/

# Removes exactly what install put there (and the directories it made, when empty).
uninstall:
	rm -f $(DESTDIR)$(PREFIX)/lib/libsearch.a $(DESTDIR)$(PREFIX)/lib/libsearch.so \
	    $(DESTDIR)$(PREFIX)/lib/libsearch.so.$(SOMAJOR) $(DESTDIR)$(PREFIX)/include/libsearch.h \
	    $(DESTDIR)$(PREFIX)/bin/cisearch $(DESTDIR)$(PREFIX)/bin/cisearch-mpi \
	    $(DESTDIR)$(PREFIX)/lib/pkgconfig/libsearch.pc \
	    $(DESTDIR)$(PREFIX)/share/man/man1/cisearch.1 $(DESTDIR)$(PREFIX)/share/man/man1/cisearch-mpi.1 \
	    $(DESTDIR)$(PREFIX)/share/bash-completion/completions/cisearch \
	    $(DESTDIR)$(PREFIX)/share/zsh/site-functions/_cisearch
	rm -f $(addprefix $(DESTDIR)$(PREFIX)/share/cisearch/seeds/,$(notdir $(wildcard seeds/*)))
	-rmdir $(DESTDIR)$(PREFIX)/share/cisearch/seeds $(DESTDIR)$(PREFIX)/share/cisearch 2>/dev/null

clean:
	rm -rf build

-include $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(MPI_OBJ:.o=.d) $(TEST_OBJ:.o=.d)
