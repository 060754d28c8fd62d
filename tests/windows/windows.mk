# windows.mk - libbcp for Windows x64, cross-built with MinGW-w64 and tested under
# Wine (issue 15). Included at the end of the Makefile; it uses its variables.
#
#   make windows         build/windows/: libbcp.a, libbcp.dll with its import library
#                        libbcp.dll.a and libbcp.def (for MSVC's lib.exe), bcp-client.exe
#                        (static) and embed.exe (on the DLL)
#   make windows-check   the same, then the Windows tests under Wine (tests/windows/run.sh)
#
# The libraries libbcp needs (libcrypto, msgpack-c; jansson for bcp-client.exe) are built
# once from Debian's own source packages by tests/windows/deps.sh and kept under
# build/windows/deps: a second build takes seconds. Nothing prebuilt is downloaded.

WIN_HOST = x86_64-w64-mingw32
WIN_CC = $(WIN_HOST)-gcc
WIN_AR = $(WIN_HOST)-ar
WB = $(B)/windows
WIN_DEPS = $(WB)/deps
WIN_DEBS = gcc-mingw-w64-x86-64 dpkg-dev
WIN_CHECK_DEBS = $(WIN_DEBS) wine64
# MinGW's own printf (C99: %zu, %lld) rather than the old msvcrt one; Windows 7 API.
WIN_CFLAGS = -std=c11 -O2 -g $(WARN) -D__USE_MINGW_ANSI_STDIO=1 -D_WIN32_WINNT=0x0601 \
	-Iruntime -I$(WIN_DEPS)/include
WIN_SYSLIBS = -lws2_32 -lcrypt32 -lbcrypt -ladvapi32 -luser32 -lgdi32
WIN_LIBS = -L$(WIN_DEPS)/lib -lcrypto -lmsgpackc $(WIN_SYSLIBS)
WIN_LDFLAGS = -static-libgcc

WIN_RUNTIME_SRC = $(filter-out runtime/os_unix.c,$(wildcard runtime/*.c))
WIN_STATIC_OBJ = $(WIN_RUNTIME_SRC:%.c=$(WB)/static/%.o)
WIN_DLL_OBJ = $(WIN_RUNTIME_SRC:%.c=$(WB)/dll/%.o)
WIN_DEPS_DONE = $(WIN_DEPS)/.done-openssl $(WIN_DEPS)/.done-msgpack $(WIN_DEPS)/.done-jansson
WIN_PRODUCTS = $(WB)/libbcp.a $(WB)/libbcp.dll $(WB)/bcp-client.exe $(WB)/embed.exe

.PHONY: windows windows-deps windows-check windows-check-deps
windows: windows-deps
	@$(MAKE) --no-print-directory $(WIN_PRODUCTS)
	@echo "bcpc: Windows build in $(WB)/: $(notdir $(WIN_PRODUCTS)) libbcp.dll.a libbcp.def"

windows-deps:
	@sh tests/deps.sh $(WIN_DEBS)
	@sh tests/windows/deps.sh $(WIN_DEPS) $(WB)/work

$(WIN_DEPS_DONE):
	@sh tests/windows/deps.sh $(WIN_DEPS) $(WB)/work

# The static library's objects export nothing (BCP_STATIC); the DLL's mark bcp_* as
# exported (BCP_BUILD_DLL), and only those: ld exports nothing else once one is marked.
$(WB)/static/%.o: %.c $(WIN_DEPS_DONE)
	@mkdir -p $(dir $@)
	$(WIN_CC) $(WIN_CFLAGS) -DBCP_STATIC -MMD -MP -c -o $@ $<
$(WB)/dll/%.o: %.c $(WIN_DEPS_DONE)
	@mkdir -p $(dir $@)
	$(WIN_CC) $(WIN_CFLAGS) -DBCP_BUILD_DLL -MMD -MP -c -o $@ $<

$(WB)/libbcp.a: $(WIN_STATIC_OBJ)
	rm -f $@
	$(WIN_AR) rcs $@ $(WIN_STATIC_OBJ)

# libcrypto and msgpack-c are linked into the DLL: a client ships one file.
$(WB)/libbcp.dll: $(WIN_DLL_OBJ)
	$(WIN_CC) -shared $(WIN_LDFLAGS) -o $@ -Wl,--out-implib,$(WB)/libbcp.dll.a \
		-Wl,--output-def,$(WB)/libbcp.def $(WIN_DLL_OBJ) $(WIN_LIBS)

# bcp-client.exe links libbcp statically; embed.exe uses the DLL through its import
# library, as a client built with the header alone would.
$(WB)/bcp-client.exe: examples/client/bcp-client.c runtime/bcp.h $(WB)/libbcp.a
	$(WIN_CC) $(WIN_CFLAGS) -DBCP_STATIC $(WIN_LDFLAGS) -static -o $@ $< $(WB)/libbcp.a \
		-ljansson $(WIN_LIBS)
$(WB)/embed.exe: examples/embed/embed.c runtime/bcp.h $(WB)/libbcp.dll
	$(WIN_CC) $(WIN_CFLAGS) $(WIN_LDFLAGS) -o $@ $< $(WB)/libbcp.dll.a

# The Windows tests: the Linux build makes the data (bcpc, test_diff), Wine runs them.
WIN_CHECK_POLICIES ?= 200
# The Linux build makes the test data, so its packages too (make deps).
windows-check-deps:
	@sh tests/deps.sh $(DEBS) $(WIN_CHECK_DEBS)

windows-check: windows-check-deps windows
	@$(MAKE) --no-print-directory $(B)/bcpc $(B)/bcp-client $(B)/tests/test_diff $(WB)/test_windows.exe
	@sh tests/windows/run.sh $(B) $(WIN_CHECK_POLICIES)

$(WB)/test_windows.exe: tests/windows/test_windows.c runtime/bcp.h $(WB)/libbcp.a
	$(WIN_CC) $(WIN_CFLAGS) -DBCP_STATIC $(WIN_LDFLAGS) -static -o $@ $< $(WB)/libbcp.a $(WIN_LIBS)

-include $(shell find $(WB)/static $(WB)/dll -name '*.d' 2>/dev/null)
