// The stored form of a DatasetSummary (docs/formats/reference-stats.md): a little-endian
// binary record, zstd-compressed.
#include <zstd.h>

#include <cstring>
#include <memory>

#include "monitor/drift.h"

namespace gyre {
namespace {

constexpr char kMagic[8] = {'G', 'Y', 'R', 'E', 'R', 'E', 'F', '1'};

class Writer {
 public:
  template <typename T>
  void Put(T v) {
    const size_t at = out_.size();
    out_.resize(at + sizeof v);
    std::memcpy(out_.data() + at, &v, sizeof v);
  }
  void PutString(const std::string& s) {
    Put<uint32_t>(static_cast<uint32_t>(s.size()));
    out_.append(s);
  }
  template <typename T>
  void PutArray(const std::vector<T>& v) {
    const size_t at = out_.size();
    out_.resize(at + v.size() * sizeof(T));
    if (!v.empty()) std::memcpy(out_.data() + at, v.data(), v.size() * sizeof(T));
  }
  std::string& bytes() { return out_; }
  void Reserve(size_t n) { out_.reserve(n); }

 private:
  std::string out_;
};

class Reader {
 public:
  explicit Reader(const std::string& in) : in_(in) {}
  template <typename T>
  bool Get(T& v) {
    if (in_.size() - pos_ < sizeof v) return false;
    std::memcpy(&v, in_.data() + pos_, sizeof v);
    pos_ += sizeof v;
    return true;
  }
  bool GetString(std::string& s) {
    uint32_t n;
    if (!Get(n) || in_.size() - pos_ < n) return false;
    s.assign(in_.data() + pos_, n);
    pos_ += n;
    return true;
  }
  template <typename T>
  bool GetArray(std::vector<T>& v, uint64_t n) {
    if ((in_.size() - pos_) / sizeof(T) < n) return false;
    v.resize(n);
    if (n) std::memcpy(v.data(), in_.data() + pos_, n * sizeof(T));
    pos_ += n * sizeof(T);
    return true;
  }
  bool AtEnd() const { return pos_ == in_.size(); }

 private:
  const std::string& in_;
  size_t pos_ = 0;
};

bool ParseColumn(Reader& r, ColumnSummary& c) {
  uint8_t type;
  uint64_t distinct, categories;
  if (!r.GetString(c.name) || !r.Get(type) || type > static_cast<uint8_t>(ColumnType::kTimestamp) ||
      !r.Get(c.missing) || !r.Get(c.numeric.size) || !r.Get(distinct) ||
      !r.GetArray(c.numeric.values, distinct) || !r.GetArray(c.numeric.counts, distinct) ||
      !r.Get(categories))
    return false;
  c.type = static_cast<ColumnType>(type);
  for (uint64_t i = 0; i < categories; ++i) {
    std::pair<std::string, int64_t> cat;
    if (!r.GetString(cat.first) || !r.Get(cat.second)) return false;
    c.categories.push_back(std::move(cat));
  }
  return true;
}

}  // namespace

namespace {

// Each column record's exact size, so that a record's buffer is sized once: a training set's
// summary is tens of MB, which growing by doubling copies over and over, touching twice the
// memory.
size_t RecordBytes(const ColumnSummary& c) {
  size_t size = sizeof(uint32_t) + c.name.size() + sizeof(uint8_t) + 3 * sizeof(int64_t) +
                c.numeric.values.size() * (sizeof(double) + sizeof(int64_t)) + sizeof(uint64_t);
  for (const auto& [key, count] : c.categories) size += sizeof(uint32_t) + key.size() + sizeof(int64_t);
  return size;
}

void PutColumn(Writer& w, const ColumnSummary& c) {
  w.PutString(c.name);
  w.Put<uint8_t>(static_cast<uint8_t>(c.type));
  w.Put<int64_t>(c.missing);
  w.Put<int64_t>(c.numeric.size);
  w.Put<uint64_t>(c.numeric.values.size());
  w.PutArray(c.numeric.values);
  w.PutArray(c.numeric.counts);
  w.Put<uint64_t>(c.categories.size());
  for (const auto& [key, count] : c.categories) {
    w.PutString(key);
    w.Put<int64_t>(count);
  }
}

std::string Header(int64_t rows, uint64_t columns) {
  Writer w;
  for (char ch : kMagic) w.Put(ch);
  w.Put<int64_t>(rows);
  w.Put<uint64_t>(columns);
  return std::move(w.bytes());
}

std::string Records(const std::vector<ColumnSummary>& columns, std::string prefix = {}) {
  Writer w;
  size_t size = prefix.size();
  for (const ColumnSummary& c : columns) size += RecordBytes(c);
  w.Reserve(size);
  w.bytes().append(prefix);
  for (const ColumnSummary& c : columns) PutColumn(w, c);
  return std::move(w.bytes());
}

// One zstd frame with the content size in its header and zstd's content checksum at its end, so
// that a damaged object fails to parse instead of misleading. The output goes to a buffer of the
// worst case's size that is not zeroed first (only what zstd writes is touched), then to a
// string of the size it took.
std::string Compress(const std::string& raw) {
  const size_t bound = ZSTD_compressBound(raw.size());
  std::unique_ptr<char[]> buffer(new char[bound]);
  ZSTD_CCtx* cctx = ZSTD_createCCtx();
  ZSTD_CCtx_setParameter(cctx, ZSTD_c_compressionLevel, 3);
  ZSTD_CCtx_setParameter(cctx, ZSTD_c_checksumFlag, 1);
  const size_t n = ZSTD_compress2(cctx, buffer.get(), bound, raw.data(), raw.size());
  ZSTD_freeCCtx(cctx);
  return ZSTD_isError(n) ? std::string() : std::string(buffer.get(), n);
}

// The record the frames hold, decompressed and checked: each frame states its size, the sizes
// add up to at most 2^36 bytes, and every frame's checksum matches.
Result<std::string> Decompress(const std::string& bytes) {
  if (bytes.empty()) return DataLoss("reference statistics: empty");
  unsigned long long total = 0;
  for (size_t at = 0; at < bytes.size();) {
    const size_t frame = ZSTD_findFrameCompressedSize(bytes.data() + at, bytes.size() - at);
    const unsigned long long size = ZSTD_getFrameContentSize(bytes.data() + at, bytes.size() - at);
    if (ZSTD_isError(frame) || size == ZSTD_CONTENTSIZE_ERROR || size == ZSTD_CONTENTSIZE_UNKNOWN)
      return DataLoss("reference statistics: not zstd frames of known size");
    total += size;
    if (total > (1ULL << 36)) return DataLoss("reference statistics: larger than 64 GiB");
    at += frame;
  }
  std::string raw(total, '\0');
  const size_t n = ZSTD_decompress(raw.data(), raw.size(), bytes.data(), bytes.size());
  if (ZSTD_isError(n) || n != total) return DataLoss("reference statistics: corrupt zstd frame");
  return raw;
}

}  // namespace

std::string SerializeSummary(const DatasetSummary& summary) {
  return Compress(Records(summary.columns, Header(summary.rows, summary.columns.size())));
}

std::string CompressColumns(const std::vector<ColumnSummary>& columns) { return Compress(Records(columns)); }

std::string SerializeFramed(int64_t rows, size_t columns, const std::string& compressed_columns,
                            const std::vector<ColumnSummary>& more) {
  std::string out = Compress(Header(rows, columns + more.size()));
  out.append(compressed_columns);
  out.append(Compress(Records(more)));
  return out;
}

bool IsOneFrame(const std::string& bytes) { return ZSTD_findFrameCompressedSize(bytes.data(), bytes.size()) == bytes.size(); }

Result<std::string> AsOneFrame(const std::string& bytes) {
  ASSIGN_OR_RETURN(std::string raw, Decompress(bytes));
  return Compress(raw);
}

Result<DatasetSummary> ParseSummary(const std::string& bytes) {
  Result<std::string> raw = Decompress(bytes);
  if (!raw.ok()) return raw.status();
  Reader r(*raw);
  char magic[8];
  for (char& ch : magic)
    if (!r.Get(ch)) return DataLoss("reference statistics: truncated");
  if (std::memcmp(magic, kMagic, sizeof magic) != 0)
    return DataLoss("reference statistics: unknown format");
  DatasetSummary out;
  uint64_t columns;
  if (!r.Get(out.rows) || !r.Get(columns)) return DataLoss("reference statistics: truncated");
  for (uint64_t i = 0; i < columns; ++i) {
    ColumnSummary c;
    if (!ParseColumn(r, c)) return DataLoss("reference statistics: truncated column");
    out.columns.push_back(std::move(c));
  }
  if (!r.AtEnd()) return DataLoss("reference statistics: trailing bytes");
  return out;
}

}  // namespace gyre
