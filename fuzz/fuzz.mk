# SPDX-License-Identifier: MIT
# fuzz.mk - the libFuzzer targets fuzz/fuzz_NAME.c, included by the top Makefile (after its
# variables). Three uses of each target:
#   - linked into the test runner as ls_fuzz_NAME (built with $(CC) into $(BUILD)/obj/fuzz/),
#     so `make test` replays fuzz/corpus/NAME/ (tests/fuzz/test_fuzz_replay.c);
#   - `make fuzz` / `make fuzz-NAME`: clang + libFuzzer + ASan/UBSan, in build/fuzz/ only,
#     run for FUZZ_TIME seconds each (see fuzz/README.md);
#   - `make fuzz-replay`: $(BUILD)/fuzz/replay_NAME, a plain main() (replay_main.c) over files.

FUZZ_NAMES := $(patsubst fuzz/fuzz_%.c,%,$(sort $(wildcard fuzz/fuzz_*.c)))
FUZZ_TIME ?= 600
FUZZ_CC ?= clang
FUZZ_DIR := build/fuzz
FUZZ_INC := -Ilibsearch -Ilibsearch/include -Ifuzz

.PHONY: fuzz fuzz-deps fuzz-build fuzz-replay $(FUZZ_NAMES:%=fuzz-%)

# ---- in the test runner ($(CC), the variant's flags) --------------------------------------

FUZZ_TEST_CFLAGS = $(BASE_CFLAGS) $(FUZZ_INC) $(PKG_CFLAGS)
FUZZ_TEST_OBJ := $(FUZZ_NAMES:%=$(BUILD)/obj/fuzz/fuzz_%.o)
TEST_EXTRA_OBJ += $(FUZZ_TEST_OBJ)
TEST_CFLAGS += -Ifuzz

$(BUILD)/obj/fuzz/fuzz_%.o: fuzz/fuzz_%.c
	@mkdir -p $(dir $@)
	$(CC) $(FUZZ_TEST_CFLAGS) -DLS_FUZZ_ENTRY=ls_fuzz_$* -c $< -o $@

$(BUILD)/obj/fuzz/replay_%.o: fuzz/replay_main.c
	@mkdir -p $(dir $@)
	$(CC) $(FUZZ_TEST_CFLAGS) -DLS_FUZZ_ENTRY=ls_fuzz_$* -c $< -o $@

$(BUILD)/fuzz/replay_%: $(BUILD)/obj/fuzz/replay_%.o $(BUILD)/obj/fuzz/fuzz_%.o $(STATIC_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(SAN_LD) -o $@ $^ $(LIB_DEPS)

# Keep the objects make would otherwise delete as intermediates of the pattern chains.
.SECONDARY: $(FUZZ_NAMES:%=$(BUILD)/obj/fuzz/replay_%.o) \
            $(FUZZ_NAMES:%=$(FUZZ_DIR)/obj/fuzz/fuzz_%.o)

fuzz-replay: deps
	@$(MAKE) --no-print-directory $(FUZZ_NAMES:%=$(BUILD)/fuzz/replay_%)

# ---- libFuzzer (clang, build/fuzz/) -------------------------------------------------------

FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=undefined
FUZZ_CFLAGS = -std=c11 -D_GNU_SOURCE -g -O1 -fno-omit-frame-pointer $(WARN) -MMD -MP \
              $(FUZZ_SAN) $(FUZZ_INC) $(PKG_CFLAGS)
FUZZ_LIB_SRC := $(sort $(wildcard libsearch/*/*.c))
FUZZ_LIB_OBJ := $(FUZZ_LIB_SRC:%.c=$(FUZZ_DIR)/obj/%.o)
FUZZ_BINS := $(FUZZ_NAMES:%=$(FUZZ_DIR)/fuzz_%)

# The library gets coverage instrumentation (fuzzer-no-link); only the targets link libFuzzer.
$(FUZZ_DIR)/obj/libsearch/%.o: libsearch/%.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c $< -o $@

$(FUZZ_DIR)/libsearch.a: $(FUZZ_LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(FUZZ_DIR)/obj/fuzz/fuzz_%.o: fuzz/fuzz_%.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -c $< -o $@

$(FUZZ_DIR)/fuzz_%: $(FUZZ_DIR)/obj/fuzz/fuzz_%.o $(FUZZ_DIR)/libsearch.a
	$(FUZZ_CC) -g -fsanitize=fuzzer $(FUZZ_SAN) -o $@ $^ $(LIB_DEPS)

fuzz-deps:
	@./scripts/deps.sh
	@./scripts/deps.sh fuzz

fuzz-build: fuzz-deps
	@$(MAKE) --no-print-directory $(FUZZ_BINS)

# Runs target $(1) for FUZZ_TIME seconds: new inputs go to build/fuzz/corpus/$(1) (the seeds in
# fuzz/corpus/$(1) are read, never written), findings to build/fuzz/artifacts/$(1)-*; those of
# an earlier run are moved to build/fuzz/artifacts/previous/ first. Prints the executions and
# what was found; fails when anything was.
define fuzz_run
t=$(1); a=$(FUZZ_DIR)/artifacts; log=$(FUZZ_DIR)/$$t.log; \
mkdir -p $(FUZZ_DIR)/corpus/$$t $$a/previous; \
for f in $$a/$$t-*; do [ -e "$$f" ] && mv "$$f" $$a/previous/; done; \
dict=; [ -f fuzz/$$t.dict ] && dict=-dict=fuzz/$$t.dict; \
echo "fuzz: $$t for $(FUZZ_TIME) s (log: $$log)"; \
rc=0; ./$(FUZZ_DIR)/fuzz_$$t -max_total_time=$(FUZZ_TIME) -timeout=30 -print_final_stats=1 \
    -artifact_prefix=$$a/$$t- $$dict $(FUZZ_DIR)/corpus/$$t fuzz/corpus/$$t >$$log 2>&1 || rc=$$?; \
execs=$$(sed -n 's/^stat::number_of_executed_units: *//p' $$log | tail -n 1); \
found=$$(ls $$a/$$t-* 2>/dev/null || true); \
if [ -n "$$found" ] || [ $$rc -ne 0 ]; then \
    echo "fuzz: $$t: $${execs:-?} executions: FOUND a failure (exit $$rc): $$found"; \
    grep -m 5 -E '^(==[0-9]+==ERROR|SUMMARY|.*fuzz invariant failed)' $$log || true; \
    false; \
else \
    echo "fuzz: $$t: $$execs executions, nothing found"; \
fi
endef

$(foreach n,$(FUZZ_NAMES),$(eval fuzz-$(n): fuzz-build ; @$$(call fuzz_run,$(n))))

# Every target in turn (each for FUZZ_TIME seconds), then fails if any found something.
fuzz: fuzz-build
	@status=0; $(foreach n,$(FUZZ_NAMES),( $(call fuzz_run,$(n)) ) || status=1;) exit $$status

# Only the .d files that exist: make would otherwise try to build the missing ones through its
# built-in `%: %.o` rule and the replay_%.o rule above.
-include $(wildcard $(FUZZ_LIB_OBJ:.o=.d) $(FUZZ_NAMES:%=$(FUZZ_DIR)/obj/fuzz/fuzz_%.d) \
          $(FUZZ_TEST_OBJ:.o=.d) $(FUZZ_NAMES:%=$(BUILD)/obj/fuzz/replay_%.d))
