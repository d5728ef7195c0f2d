// An allocator for large, long-lived vectors (a profile's kept values): past 4 MiB it maps
// memory itself and asks for transparent huge pages, so that filling hundreds of megabytes
// costs hundreds of page faults instead of tens of thousands. Internal to data/.
#pragma once

#include <sys/mman.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <new>
#include <vector>

namespace gyre {

template <typename T>
class BigAllocator {
 public:
  using value_type = T;
  BigAllocator() = default;
  template <typename U>
  BigAllocator(const BigAllocator<U>&) {}  // NOLINT: rebinding

  T* allocate(size_t n) {
    const size_t bytes = n * sizeof(T);
    if (bytes < kMapped) {
      void* p = std::malloc(bytes);
      if (p == nullptr) throw std::bad_alloc();
      return static_cast<T*>(p);
    }
    void* p = ::mmap(nullptr, Rounded(bytes), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) throw std::bad_alloc();
    ::madvise(p, Rounded(bytes), MADV_HUGEPAGE);  // advice only: fine if refused
    return static_cast<T*>(p);
  }
  void deallocate(T* p, size_t n) {
    const size_t bytes = n * sizeof(T);
    if (bytes < kMapped) {
      std::free(p);
    } else {
      ::munmap(p, Rounded(bytes));
    }
  }
  template <typename U>
  bool operator==(const BigAllocator<U>&) const { return true; }

 private:
  static constexpr size_t kMapped = size_t{4} << 20;
  static size_t Rounded(size_t bytes) { return (bytes + (size_t{2} << 20) - 1) & ~((size_t{2} << 20) - 1); }
};

template <typename T>
using BigVector = std::vector<T, BigAllocator<T>>;

}  // namespace gyre
