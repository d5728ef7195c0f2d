#include "monitor/prediction_log.h"

#include <algorithm>
#include <map>
#include <array>
#include <atomic>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <nlohmann/json.hpp>
#include <unistd.h>

#include "data/text_parse.h"
#include "monitor/json_text.h"

namespace gyre {
namespace {

using nlohmann::json;

constexpr size_t kHeader = 8;
constexpr const char* kSuffix = ".seg";
constexpr uint32_t kMaxPayload = 64u << 20;  // a larger length is damage, not a record

std::array<uint32_t, 256> MakeCrcTable() {
  std::array<uint32_t, 256> t{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = (c & 1) ? 0x82F63B78u ^ (c >> 1) : c >> 1;  // Castagnoli
    t[i] = c;
  }
  return t;
}

void PutU32(std::string* out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

uint32_t GetU32(const char* p) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v |= static_cast<uint32_t>(static_cast<unsigned char>(p[i])) << (8 * i);
  return v;
}

// "<sequence>-<writer tag>.seg": the tag keeps two writers that picked the same sequence
// number (two processes starting at once) from writing one file.
std::string SegmentName(int64_t seq, uint32_t tag) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%08lld-%08x%s", static_cast<long long>(seq), tag, kSuffix);
  return buf;
}

struct Segment {
  int64_t seq;
  std::string name;
  bool operator<(const Segment& o) const { return seq != o.seq ? seq < o.seq : name < o.name; }
};

// The segments in `dir`, in sequence order.
Result<std::vector<Segment>> Segments(Env* env, const std::string& dir) {
  std::vector<Segment> out;
  if (!env->FileExists(dir)) return out;
  ASSIGN_OR_RETURN(std::vector<std::string> names, env->ListDir(dir));
  for (const std::string& n : names) {
    const size_t len = std::strlen(kSuffix);
    if (n.size() <= len || n.compare(n.size() - len, len, kSuffix) != 0) continue;
    const size_t digits = n.find_first_not_of("0123456789");
    if (digits == 0 || digits == std::string::npos) continue;
    out.push_back({std::stoll(n.substr(0, digits)), n});
  }
  std::sort(out.begin(), out.end());
  return out;
}

uint32_t WriterTag(Env* env) {
  static std::atomic<uint32_t> counter{0};
  uint64_t x = static_cast<uint64_t>(env->NowMicros()) ^ (static_cast<uint64_t>(::getpid()) << 32) ^ counter++;
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  return static_cast<uint32_t>(x ^ (x >> 33));
}

// Whether `s` is one JSON text (RFC 8259), as nlohmann's parser would accept it, without
// building anything: records are read by the hundred thousand, and nlohmann's accept turns
// every number into a double on the way.
class JsonChecker {
 public:
  explicit JsonChecker(std::string_view s) : s_(s) {}

  bool Valid() {
    Space();
    if (!Value()) return false;
    Space();
    return p_ == s_.size();
  }

 private:
  // Values nest through an explicit stack of open containers ('{' or '['), so that a deeply
  // nested record cannot exhaust the call stack.
  bool Value() {
    std::string open;  // short: no allocation for the few levels a record has
    for (;;) {
      if (p_ >= s_.size()) return false;
      const char c = s_[p_];
      if (c == '{' || c == '[') {
        ++p_;
        Space();
        if (p_ < s_.size() && s_[p_] == (c == '{' ? '}' : ']')) {  // empty
          ++p_;
        } else {
          open.push_back(c);
          if (c == '{' && !Key()) return false;
          continue;
        }
      } else if (!Scalar()) {
        return false;
      }
      // After a value: a comma and the next member, or the close of its container.
      for (;;) {
        if (open.empty()) return true;
        Space();
        if (p_ >= s_.size()) return false;
        if (s_[p_] == ',') {
          ++p_;
          Space();
          if (open.back() == '{' && !Key()) return false;
          break;
        }
        if (s_[p_] != (open.back() == '{' ? '}' : ']')) return false;
        ++p_;
        open.pop_back();
      }
    }
  }

  bool Key() {  // a member's name and its colon; the value follows
    if (!String()) return false;
    Space();
    if (p_ >= s_.size() || s_[p_] != ':') return false;
    ++p_;
    Space();
    return true;
  }

  bool Scalar() {
    const char c = s_[p_];
    if (c == '"') return String();
    if (c == 't') return Word("true");
    if (c == 'f') return Word("false");
    if (c == 'n') return Word("null");
    return Number();
  }

  bool Word(std::string_view w) {
    if (s_.substr(p_, w.size()) != w) return false;
    p_ += w.size();
    return true;
  }

  bool Digits() {
    const size_t start = p_;
    while (p_ < s_.size() && s_[p_] >= '0' && s_[p_] <= '9') ++p_;
    return p_ > start;
  }

  bool Number() {  // -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
    if (p_ < s_.size() && s_[p_] == '-') ++p_;
    if (p_ < s_.size() && s_[p_] == '0') ++p_;
    else if (p_ >= s_.size() || s_[p_] < '1' || s_[p_] > '9' || !Digits()) return false;
    if (p_ < s_.size() && s_[p_] == '.' && (++p_, !Digits())) return false;
    if (p_ < s_.size() && (s_[p_] == 'e' || s_[p_] == 'E')) {
      ++p_;
      if (p_ < s_.size() && (s_[p_] == '+' || s_[p_] == '-')) ++p_;
      if (!Digits()) return false;
    }
    return true;
  }

  int Hex4() {  // the value of four hex digits, or -1
    if (p_ + 4 > s_.size()) return -1;
    int v = 0;
    for (int i = 0; i < 4; ++i) {
      const char h = s_[p_ + static_cast<size_t>(i)];
      const int d = h >= '0' && h <= '9' ? h - '0' : (h | 0x20) >= 'a' && (h | 0x20) <= 'f' ? (h | 0x20) - 'a' + 10 : -1;
      if (d < 0) return -1;
      v = v * 16 + d;
    }
    p_ += 4;
    return v;
  }

  bool String() {  // escapes as JSON has them (surrogates paired), UTF-8 text, no control bytes
    if (p_ >= s_.size() || s_[p_] != '"') return false;
    const size_t start = ++p_;
    for (;;) {
      if (p_ >= s_.size()) return false;
      const auto c = static_cast<unsigned char>(s_[p_]);
      if (c == '"') break;
      if (c < 0x20) return false;
      if (c != '\\') {
        ++p_;
        continue;
      }
      if (++p_ >= s_.size()) return false;
      const char e = s_[p_++];
      if (e == 'u') {
        const int u = Hex4();
        if (u < 0 || (u >= 0xDC00 && u <= 0xDFFF)) return false;  // a low surrogate alone
        if (u >= 0xD800 && u <= 0xDBFF) {  // a high surrogate: its low one must follow
          if (!Word("\\u")) return false;
          const int low = Hex4();
          if (low < 0xDC00 || low > 0xDFFF) return false;
        }
      } else if (std::string_view("\"\\/bfnrt").find(e) == std::string_view::npos) {
        return false;
      }
    }
    const bool utf8 = FindInvalidUtf8(s_.data() + start, p_ - start) == std::string_view::npos;
    ++p_;
    return utf8;
  }

  void Space() {
    while (p_ < s_.size() && (s_[p_] == ' ' || s_[p_] == '\t' || s_[p_] == '\n' || s_[p_] == '\r')) ++p_;
  }

  std::string_view s_;
  size_t p_ = 0;
};

// Positions in a payload that is a valid JSON text (checked first): JSON's whitespace, and the
// end of the string or value that starts at `pos`.
size_t SkipSpace(std::string_view s, size_t pos) {
  while (pos < s.size() && (s[pos] == ' ' || s[pos] == '\t' || s[pos] == '\n' || s[pos] == '\r')) ++pos;
  return pos;
}

size_t StringEnd(std::string_view s, size_t pos) {  // pos: the opening quote
  for (size_t i = pos + 1; i < s.size(); ++i) {
    if (s[i] == '\\') ++i;
    else if (s[i] == '"') return i + 1;
  }
  return s.size();
}

size_t ValueEnd(std::string_view s, size_t pos) {
  if (s[pos] == '"') return StringEnd(s, pos);
  if (s[pos] != '{' && s[pos] != '[') {  // a number, true, false or null
    while (pos < s.size() && s[pos] != ',' && s[pos] != '}' && s[pos] != ']' && SkipSpace(s, pos) == pos) ++pos;
    return pos;
  }
  int depth = 0;
  for (size_t i = pos; i < s.size(); ++i) {
    if (s[i] == '"') {
      i = StringEnd(s, i) - 1;
    } else if (s[i] == '{' || s[i] == '[') {
      ++depth;
    } else if ((s[i] == '}' || s[i] == ']') && --depth == 0) {
      return i + 1;
    }
  }
  return s.size();
}

// A string token's text (escapes, which are rare, decoded by nlohmann); false if not a string.
bool StringOf(std::string_view token, std::string* out) {
  if (token.empty() || token[0] != '"') return false;
  if (token.find('\\') == std::string_view::npos) {
    out->assign(token.substr(1, token.size() - 2));
    return true;
  }
  const json v = json::parse(token, nullptr, false);  // never throws, whatever the checker let by
  if (!v.is_string()) return false;
  *out = v.get<std::string>();
  return true;
}

// A number token as an integer (a fraction is cut, as nlohmann's conversion does); false if
// not a number.
bool IntegerOf(std::string_view token, int64_t* out) {
  auto [ptr, ec] = std::from_chars(token.data(), token.data() + token.size(), *out);
  if (ec == std::errc() && ptr == token.data() + token.size()) return true;
  const json v = json::parse(token, nullptr, false);
  if (!v.is_number()) return false;
  const double d = v.get<double>();
  if (!(std::fabs(d) < 9.2e18)) return false;  // beyond int64: converting would be undefined
  *out = v.get<int64_t>();
  return true;
}

// A record's payload. It must be a JSON object (checked without building it); its members are
// then found by position, and `in` and `out` kept as the text they are, for their readers to
// parse: building and re-writing them here was most of the cost of reading a log.
std::optional<PredictionRecord> DecodePayload(std::string_view payload) {
  if (!JsonChecker(payload).Valid()) return std::nullopt;
  size_t i = SkipSpace(payload, 0);
  if (payload[i] != '{') return std::nullopt;
  PredictionRecord r;
  r.inputs_json = r.outputs_json = "{}";
  for (i = SkipSpace(payload, i + 1); payload[i] != '}'; i = SkipSpace(payload, i + 1)) {
    const size_t key_end = StringEnd(payload, i);
    std::string key;
    if (!StringOf(payload.substr(i, key_end - i), &key)) return std::nullopt;
    i = SkipSpace(payload, SkipSpace(payload, key_end) + 1);  // past the colon
    const size_t end = ValueEnd(payload, i);
    const std::string_view value = payload.substr(i, end - i);
    bool ok = true;
    if (key == "id") ok = StringOf(value, &r.request_id);
    else if (key == "t") ok = IntegerOf(value, &r.time_us);
    else if (key == "v") ok = IntegerOf(value, &r.model_version);
    else if (key == "in") r.inputs_json.assign(value);
    else if (key == "out") r.outputs_json.assign(value);
    if (!ok) return std::nullopt;  // a member of the wrong type: the record is damaged
    i = SkipSpace(payload, end);
    if (payload[i] == '}') break;
  }
  return r;
}

// Reads one segment's records into `out`, counting damage in `stats`.
void ReadSegment(const std::string& bytes, std::vector<PredictionRecord>* out, PredictionLogStats* stats) {
  size_t pos = 0;
  while (pos < bytes.size()) {
    const size_t left = bytes.size() - pos;
    const uint32_t length = left >= kHeader ? GetU32(bytes.data() + pos + 4) : 0;
    if (left < kHeader || length > kMaxPayload || length > left - kHeader) {
      ++stats->torn_tails;  // a record cut short by a crash: the segment ends here
      return;
    }
    const uint32_t crc = GetU32(bytes.data() + pos);
    const bool last = pos + kHeader + length == bytes.size();
    std::optional<PredictionRecord> r;
    if (Crc32c(bytes.data() + pos + 4, 4 + length) == crc)
      r = DecodePayload(std::string_view(bytes.data() + pos + kHeader, length));
    if (!r) {
      if (last) ++stats->torn_tails;
      else ++stats->corrupt_records;
    } else {
      out->push_back(std::move(*r));
      ++stats->records;
    }
    pos += kHeader + length;
  }
}

}  // namespace

namespace {

uint32_t Crc32cTable(const char* data, size_t n) {
  static const std::array<uint32_t, 256> table = MakeCrcTable();
  uint32_t c = 0xffffffffu;
  for (size_t i = 0; i < n; ++i) c = table[(c ^ static_cast<unsigned char>(data[i])) & 0xff] ^ (c >> 8);
  return c ^ 0xffffffffu;
}

// The SSE4.2 crc32 instruction computes the same CRC-32C eight bytes at a time.
__attribute__((target("sse4.2"))) uint32_t Crc32cHardware(const char* data, size_t n) {
  uint64_t c = 0xffffffffu;
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t word;
    std::memcpy(&word, data + i, 8);
    c = __builtin_ia32_crc32di(c, word);
  }
  uint32_t c32 = static_cast<uint32_t>(c);
  for (; i < n; ++i) c32 = __builtin_ia32_crc32qi(c32, static_cast<unsigned char>(data[i]));
  return c32 ^ 0xffffffffu;
}

}  // namespace

uint32_t Crc32c(const char* data, size_t n) {
  static const bool hardware = __builtin_cpu_supports("sse4.2");
  return hardware ? Crc32cHardware(data, n) : Crc32cTable(data, n);
}

void AppendLogRecord(std::string* out, std::string_view request_id, int64_t time_us, int64_t model_version,
                     std::string_view inputs_json, std::string_view outputs_json) {
  const size_t start = out->size();
  PutU32(out, 0);  // the checksum and the length, filled in below
  PutU32(out, 0);
  // Ids come from clients (x-request-id): bytes that are not UTF-8 are replaced, never thrown on.
  *out += "{\"id\":";
  AppendJsonString(out, request_id);
  char number[24];
  *out += ",\"t\":";
  out->append(number, std::to_chars(number, number + sizeof number, time_us).ptr);
  *out += ",\"v\":";
  out->append(number, std::to_chars(number, number + sizeof number, model_version).ptr);
  *out += ",\"in\":";
  *out += inputs_json.empty() ? "{}" : inputs_json;
  *out += ",\"out\":";
  *out += outputs_json.empty() ? "{}" : outputs_json;
  *out += '}';
  const auto length = static_cast<uint32_t>(out->size() - start - kHeader);
  for (int i = 0; i < 4; ++i) (*out)[start + 4 + i] = static_cast<char>((length >> (8 * i)) & 0xff);
  const uint32_t crc = Crc32c(out->data() + start + 4, out->size() - start - 4);
  for (int i = 0; i < 4; ++i) (*out)[start + i] = static_cast<char>((crc >> (8 * i)) & 0xff);
}

std::string EncodeLogRecord(const PredictionRecord& r) {
  std::string out;
  AppendLogRecord(&out, r.request_id, r.time_us, r.model_version, r.inputs_json, r.outputs_json);
  return out;
}

PredictionLogWriter::PredictionLogWriter(Env* env, std::string dir, PredictionLogOptions options,
                                         int64_t next_seq)
    : env_(env), dir_(std::move(dir)), options_(options), next_seq_(next_seq), tag_(WriterTag(env)) {}

PredictionLogWriter::~PredictionLogWriter() {
  if (file_) {
    (void)file_->Sync();
    (void)file_->Close();
  }
}

Result<std::unique_ptr<PredictionLogWriter>> PredictionLogWriter::Open(Env* env, const std::string& dir,
                                                                       const PredictionLogOptions& options) {
  RETURN_IF_ERROR(env->CreateDirs(dir));
  ASSIGN_OR_RETURN(std::vector<Segment> existing, Segments(env, dir));
  const int64_t next = existing.empty() ? 1 : existing.back().seq + 1;
  return std::unique_ptr<PredictionLogWriter>(new PredictionLogWriter(env, dir, options, next));
}

Status PredictionLogWriter::Rotate() {
  if (file_) {
    RETURN_IF_ERROR(file_->Sync());
    RETURN_IF_ERROR(file_->Close());
    file_.reset();
  }
  ASSIGN_OR_RETURN(file_, env_->NewWritableFile(dir_ + "/" + SegmentName(next_seq_++, tag_)));
  RETURN_IF_ERROR(env_->SyncDir(dir_));  // the new name survives a crash
  ++started_;
  segment_bytes_ = 0;
  segment_first_us_ = 0;
  return Status::OK();
}

Status PredictionLogWriter::Append(const PredictionRecord& record) {
  int64_t rejected = 0;
  RETURN_IF_ERROR(Append(std::span<const PredictionRecord>(&record, 1), &rejected));
  if (rejected == 0) return Status::OK();
  if (!record.inputs_json.empty() && record.inputs_json.front() != '{')
    return InvalidArgument("prediction log: inputs must be a JSON object");
  return InvalidArgument("prediction log: a record of " + std::to_string(EncodeLogRecord(record).size()) +
                         " bytes is larger than the 64 MiB a record may hold");
}

// The records framed into one buffer, then written as AppendFramed writes them.
Status PredictionLogWriter::Append(std::span<const PredictionRecord> records, int64_t* rejected) {
  std::string frames;
  std::vector<int64_t> times;
  times.reserve(records.size());
  for (const PredictionRecord& record : records) {
    if (!record.inputs_json.empty() && record.inputs_json.front() != '{') {
      ++*rejected;
      continue;
    }
    AppendLogRecord(&frames, record.request_id, record.time_us, record.model_version, record.inputs_json,
                    record.outputs_json);
    times.push_back(record.time_us);
  }
  return AppendFramed(frames, times, rejected);
}

// Each run of frames that falls in one segment is written with one call, straight from
// `frames`; a frame too large to read back splits the run and is left out.
Status PredictionLogWriter::AppendFramed(std::string_view frames, std::span<const int64_t> times, int64_t* rejected) {
  size_t count = 0;
  for (size_t pos = 0; pos < frames.size(); ++count) {
    const size_t left = frames.size() - pos;
    const uint32_t length = left >= kHeader ? GetU32(frames.data() + pos + 4) : 0;
    if (left < kHeader || length > left - kHeader)
      return InvalidArgument("prediction log: framed records cut short at byte " + std::to_string(pos));
    pos += kHeader + length;
  }
  if (count != times.size())
    return InvalidArgument("prediction log: " + std::to_string(count) + " framed records but " +
                           std::to_string(times.size()) + " times");
  std::lock_guard<std::mutex> lock(mu_);
  size_t run = 0, pos = 0;  // frames[run, pos) are not written yet
  auto write = [&]() -> Status {
    Status st = pos > run ? file_->Append(frames.substr(run, pos - run)) : Status::OK();
    run = pos;
    return st;
  };
  for (const int64_t time_us : times) {
    const uint32_t length = GetU32(frames.data() + pos + 4);
    const size_t size = kHeader + length;
    if (length > kMaxPayload) {  // a reader would take it for damage
      RETURN_IF_ERROR(write());
      run = pos += size;
      ++*rejected;
      continue;
    }
    const bool too_big = segment_bytes_ > 0 && segment_bytes_ + size > options_.max_segment_bytes;
    const bool too_old = segment_bytes_ > 0 && time_us - segment_first_us_ >= options_.max_segment_age_us;
    if (!file_ || too_big || too_old) {  // what is pending belongs to the segment being closed
      RETURN_IF_ERROR(write());
      RETURN_IF_ERROR(Rotate());
    }
    if (segment_bytes_ == 0) segment_first_us_ = time_us;
    segment_bytes_ += size;
    pos += size;
    if (options_.sync_each_append) {
      RETURN_IF_ERROR(write());
      RETURN_IF_ERROR(file_->Sync());
    }
  }
  return write();
}

Status PredictionLogWriter::Sync() {
  std::lock_guard<std::mutex> lock(mu_);
  return file_ ? file_->Sync() : Status::OK();
}

int64_t PredictionLogWriter::segments_started() const {
  std::lock_guard<std::mutex> lock(mu_);
  return started_;
}

Result<std::vector<PredictionRecord>> ReadPredictionLog(Env* env, const std::string& dir,
                                                        PredictionLogStats* stats) {
  PredictionLogStats local;
  PredictionLogStats* s = stats ? stats : &local;
  *s = {};
  std::vector<PredictionRecord> out;
  ASSIGN_OR_RETURN(std::vector<Segment> segments, Segments(env, dir));
  for (const Segment& seg : segments) {
    ASSIGN_OR_RETURN(std::string bytes, env->ReadFile(dir + "/" + seg.name));
    ++s->segments;
    ReadSegment(bytes, &out, s);
  }
  return out;
}

std::vector<std::span<const PredictionRecord>> WindowsByCount(std::span<const PredictionRecord> records,
                                                              size_t size) {
  std::vector<std::span<const PredictionRecord>> out;
  if (size == 0 || records.empty()) return out;
  // Cut from the newest, so that the latest window (the one alerts look at) is always full and
  // only the oldest may be shorter.
  const size_t first = records.size() % size;
  if (first > 0) out.push_back(records.first(first));
  for (size_t i = first; i < records.size(); i += size) out.push_back(records.subspan(i, size));
  return out;
}

std::vector<std::vector<PredictionRecord>> WindowsByTime(const std::vector<PredictionRecord>& records,
                                                         int64_t period_us) {
  // Keyed by period, so that periods without records cost nothing (a gap of years between two
  // records must not allocate a window per period in between).
  std::vector<std::vector<PredictionRecord>> out;
  if (records.empty() || period_us <= 0) return out;
  const int64_t start = records.front().time_us;
  std::map<int64_t, std::vector<PredictionRecord>> by_period;
  for (const PredictionRecord& r : records) by_period[std::max<int64_t>(0, (r.time_us - start) / period_us)].push_back(r);
  for (auto& [period, window] : by_period) out.push_back(std::move(window));
  return out;
}

}  // namespace gyre
