# Gyre: the two commands are `make demo` and `make test`; everything else is here for them.
BUILD_DIR ?= build
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
GYRE := $(BUILD_DIR)/gyre
CMAKE_FLAGS ?=
ifeq ($(CI),true)
CMAKE_FLAGS += -DGYRE_WERROR=ON
endif

# Debian 12 packages the build, the tests and the demo need (DESIGN.md, "Dependencies").
DEB_PACKAGES := g++ cmake make pkg-config git ccache \
  libsqlite3-dev sqlite3 libssl-dev nlohmann-json3-dev libyaml-cpp-dev libcli11-dev \
  libspdlog-dev libfmt-dev libzstd-dev libboost-dev libxgboost-dev \
  libgtest-dev libgmock-dev libbenchmark-dev
# Only the peer benchmarks and the golden-value scripts need these.
BENCH_PACKAGES := python3 python3-pandas python3-numpy python3-scipy python3-sklearn python3-xgboost \
  wrk nginx-light python3-fastapi python3-uvicorn gunicorn python3-flask

SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: all deps bench-deps configure build test demo bench format clean

all: build

# Idempotent: asks dpkg first and runs apt only for what is missing.
deps:
	@missing=""; for p in $(DEB_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi

bench-deps: deps
	@missing=""; for p in $(BENCH_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi

$(BUILD_DIR)/CMakeCache.txt:
	cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=Release $(CMAKE_FLAGS)

configure: deps $(BUILD_DIR)/CMakeCache.txt

build: configure
	cmake --build $(BUILD_DIR) -j $(JOBS)

test: build
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS) --timeout 600

demo: build
	$(GYRE) demo

bench: bench-deps build
	./bench/run_all.sh $(GYRE)

format:
	find src tests bench -name '*.cc' -o -name '*.h' | xargs clang-format -i

clean:
	rm -rf $(BUILD_DIR)
