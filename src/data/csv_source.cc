// The CSV tokenizer: RFC 4180 (quoted fields holding delimiters, doubled quotes and line
// breaks), LF, CRLF and CR line ends, a UTF-8 byte-order mark, blank lines skipped.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>

#include <emmintrin.h>

#include "data/row_source.h"
#include "data/text_parse.h"

namespace gyre {
namespace {

constexpr char kCandidates[] = {',', ';', '\t', '|'};

enum class RowEnd { kComplete, kNeedMore, kError };

std::string Printable(char c) {
  if (c == '\t') return "tab";
  return std::string("'") + c + "'";
}

// Counts each candidate per line (outside quotes) over the first lines of `head`, and picks
// the one that appears the same non-zero number of times on every line; ties go to the most
// frequent, then to the order , ; tab |.
char DetectDelimiter(std::string_view head) {
  std::vector<std::array<int, 4>> counts;
  std::array<int, 4> cur{};
  bool quoted = false;
  size_t i = 0;
  for (; i < head.size() && counts.size() < 50; ++i) {
    char c = head[i];
    if (c == '"') quoted = !quoted;
    if (quoted) continue;
    if (c == '\n') {
      counts.push_back(cur);
      cur = {};
      continue;
    }
    for (int k = 0; k < 4; ++k) cur[k] += c == kCandidates[k];
  }
  if (i == head.size() && !quoted && cur != std::array<int, 4>{}) counts.push_back(cur);
  if (counts.empty()) return ',';
  int best = -1, best_count = 0;
  for (int k = 0; k < 4; ++k) {
    int first = counts[0][k];
    bool consistent = first > 0;
    for (const auto& row : counts) consistent = consistent && row[k] == first;
    if (consistent && first > best_count) {
      best = k;
      best_count = first;
    }
  }
  if (best >= 0) return kCandidates[best];
  // No candidate is consistent (ragged file): go by the header line, and let the row-length
  // check report the ragged line.
  for (int k = 0; k < 4; ++k) {
    if (counts[0][k] > best_count) {
      best = k;
      best_count = counts[0][k];
    }
  }
  return best >= 0 ? kCandidates[best] : ',';
}

class CsvSource : public RowSource {
 public:
  CsvSource(std::string path, int fd, size_t buffer_bytes)
      : path_(std::move(path)), fd_(fd), buffer_bytes_(std::clamp<size_t>(buffer_bytes, 16, RowBatch::kMaxTextBytes / 2)),
        buf_(std::min(buffer_bytes_, kFirstRead) + RowBatch::kPadding) {}
  ~CsvSource() override { ::close(fd_); }

  Status Init(char delimiter);
  const std::vector<std::string>& column_names() const override { return names_; }
  Result<bool> NextBatch(RowBatch* batch, int64_t max_rows) override;
  Status Rewind() override;
  uint64_t bytes_read() const override { return consumed_offset_ + begin_; }
  void MakeBatchesSelfContained() override { self_contained_ = true; }
  char delimiter() const override { return delim_; }

 private:
  // A first read big enough for the header and the rows that decide the delimiter. Batches
  // then get buffers sized for them, up to buffer_bytes_: reading far ahead only makes the
  // first batch wait, and what a batch leaves over is copied to the next buffer.
  static constexpr size_t kFirstRead = size_t{1} << 18;
  // Moves unconsumed bytes to the front, grows the buffer to `want` bytes if smaller, and
  // reads until full or EOF.
  Status Fill(size_t want = 0);
  size_t BatchBytes(int64_t rows) const;  // a buffer for `rows` rows like those so far
  size_t Room() const { return buf_.size() - RowBatch::kPadding; }
  const char* FindFieldEnd(const char* p, const char* end);
  uint64_t StructuralMask(const char* p) const;
  void HandOver(RowBatch* batch, size_t to);
  RowEnd TokenizeRow(size_t* pos, RowBatch* batch, int64_t* line, Status* error);
  int64_t TokenizePlainRows(size_t* pos, RowBatch* batch, int64_t max_rows);
  Status CheckUtf8(const RowBatch& batch, size_t from, size_t to, int64_t first_line);
  Location Where(int64_t line, int column) const {
    Location loc{path_, line, column, ""};
    if (column > 0 && static_cast<size_t>(column) <= names_.size()) loc.field = names_[column - 1];
    return loc;
  }

  std::string path_;
  int fd_;
  size_t buffer_bytes_;
  std::vector<char> buf_;  // Room() bytes to read into, then RowBatch::kPadding more
  size_t begin_ = 0;  // first unconsumed byte
  size_t end_ = 0;    // end of valid bytes
  bool eof_ = false;
  uint64_t consumed_offset_ = 0;  // file offset of buf_[0]
  uint64_t data_offset_ = 0;      // file offset of the first data row
  int64_t data_line_ = 2;         // line of the first data row
  int64_t line_ = 1;              // line of the next row
  bool self_contained_ = false;
  double bytes_per_row_ = 256;  // of the rows read so far (from the first 64 KiB at first)
  char delim_ = ',';
  std::array<bool, 256> special_{};
  // The 64 bytes from block_ as a mask of their delimiters and line ends (bit i: block_[i]),
  // found once for all the fields in them. Forgotten whenever the buffer's bytes move.
  const char* block_ = nullptr;
  uint64_t block_mask_ = 0;
  std::vector<std::string> names_;
};

// Bit i set when p[i] is the delimiter, a line feed or a carriage return (SSE2, 16 bytes a step).
uint64_t CsvSource::StructuralMask(const char* p) const {
  const __m128i delim = _mm_set1_epi8(delim_), lf = _mm_set1_epi8('\n'), cr = _mm_set1_epi8('\r');
  uint64_t mask = 0;
  for (int k = 0; k < 4; ++k) {
    __m128i chunk = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16 * k));
    __m128i hit = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(chunk, delim), _mm_cmpeq_epi8(chunk, lf)),
                               _mm_cmpeq_epi8(chunk, cr));
    mask |= static_cast<uint64_t>(static_cast<uint32_t>(_mm_movemask_epi8(hit))) << (16 * k);
  }
  return mask;
}

// Each byte of the 64 from p that equals c, as a bit.
inline uint64_t ByteMask(const __m128i (&chunks)[4], char c) {
  const __m128i v = _mm_set1_epi8(c);
  uint64_t mask = 0;
  for (int k = 0; k < 4; ++k) {
    mask |= static_cast<uint64_t>(static_cast<uint32_t>(_mm_movemask_epi8(_mm_cmpeq_epi8(chunks[k], v)))) << (16 * k);
  }
  return mask;
}

// The common rows, in bulk: whole rows from *pos that hold no quote, end with LF or CRLF and
// have the header's number of fields. Each 64 bytes are read once into masks of their
// delimiters, line ends and special bytes, and every field end is a bit of them: no branch for
// each byte or field, where TokenizeRow has several. Stops before the first row that is not
// such a row (TokenizeRow takes it: a quoted field, a lone CR, a blank line, a ragged row to
// report), or that the valid bytes may not hold whole; returns the rows added.
int64_t CsvSource::TokenizePlainRows(size_t* pos, RowBatch* batch, int64_t max_rows) {
  const char* base = buf_.data();
  const size_t columns = names_.size();
  int64_t rows = 0;
  size_t row_start = *pos, field_start = *pos;
  size_t row_fields = batch->fields.size();  // the current row's first field
  for (size_t block = *pos; block + 64 <= end_ && rows < max_rows; block += 64) {
    __m128i chunks[4];
    for (int k = 0; k < 4; ++k) chunks[k] = _mm_loadu_si128(reinterpret_cast<const __m128i*>(base + block + 16 * k));
    const uint64_t lf = ByteMask(chunks, '\n'), cr = ByteMask(chunks, '\r');
    const uint64_t crlf = cr & (lf >> 1);  // a CR whose LF follows in this block ends a row
    const uint64_t row_ends = crlf | (lf & ~(crlf << 1));
    const uint64_t stops = ByteMask(chunks, '"') | (cr & ~crlf);
    uint64_t ends = ByteMask(chunks, delim_) | row_ends;
    if (stops != 0) ends &= (stops & (0 - stops)) - 1;  // the field ends before the first stop
    for (; ends != 0; ends &= ends - 1) {
      const int bit = __builtin_ctzll(ends);
      const size_t at = block + static_cast<size_t>(bit);
      batch->fields.push_back({static_cast<uint32_t>(field_start), static_cast<uint32_t>(at - field_start)});
      field_start = at + 1 + (crlf >> bit & 1);
      if ((row_ends >> bit & 1) == 0) continue;
      // A blank line (one empty field) or a ragged row goes to TokenizeRow.
      const size_t got = batch->fields.size() - row_fields;
      if (got != columns || (got == 1 && at == row_start)) {
        batch->fields.resize(row_fields);
        *pos = row_start;
        return rows;
      }
      batch->lines.push_back(line_++);
      row_fields = batch->fields.size();
      row_start = field_start;
      if (++rows == max_rows) break;
    }
    if (stops != 0) break;  // the current row holds a quote or a lone CR (or its LF is unseen)
  }
  batch->fields.resize(row_fields);  // a row begun but not ended
  *pos = row_start;
  return rows;
}

// The first delimiter or line end at or after p. Fields are short, so the structural bytes of
// 64 bytes are found at once and shared by the fields in them; byte by byte near the end.
const char* CsvSource::FindFieldEnd(const char* p, const char* end) {
  for (;;) {
    if (block_ != nullptr && p >= block_ && p < block_ + 64) {
      const uint64_t rest = block_mask_ >> (p - block_);
      if (rest != 0) return p + __builtin_ctzll(rest);
      p = block_ + 64;
    }
    if (end - p < 64) break;
    block_ = p;
    block_mask_ = StructuralMask(p);
  }
  while (p < end && !special_[static_cast<unsigned char>(*p)]) ++p;
  return p;
}

size_t CsvSource::BatchBytes(int64_t rows) const {
  const double bytes = static_cast<double>(rows) * bytes_per_row_ * 1.125 + (1 << 16);
  if (bytes >= static_cast<double>(buffer_bytes_)) return buffer_bytes_;
  // In steps of 256 KiB: batches of rows a little longer than the last ones then fit the
  // same buffers, which are not made again (and their memory not touched anew) each time.
  constexpr size_t kStep = size_t{1} << 18;
  return std::min(buffer_bytes_, (static_cast<size_t>(bytes) + kStep - 1) / kStep * kStep);
}

Status CsvSource::Fill(size_t want) {
  block_ = nullptr;  // the bytes it indexed move
  if (begin_ > 0) {
    std::memmove(buf_.data(), buf_.data() + begin_, end_ - begin_);
    consumed_offset_ += begin_;
    end_ -= begin_;
    begin_ = 0;
  }
  if (Room() < want) buf_.resize(want + RowBatch::kPadding);
  if (end_ == Room()) {  // one row fills the buffer
    if (Room() * 2 > RowBatch::kMaxTextBytes) {
      return InvalidArgument("a row longer than " + std::to_string(RowBatch::kMaxTextBytes / 2 >> 20) +
                                 " MiB: is this a CSV file? (an unclosed quote can make the rest of a file one row)",
                             Where(line_, 0));
    }
    buf_.resize(Room() * 2 + RowBatch::kPadding);
  }
  while (!eof_ && end_ < Room()) {
    ssize_t n = ::read(fd_, buf_.data() + end_, Room() - end_);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return ErrnoError("reading " + path_);
    if (n == 0) eof_ = true;
    end_ += static_cast<size_t>(n);
  }
  return Status::OK();
}

Status CsvSource::Init(char delimiter) {
  // The first 64 KiB, read apart from the buffer (which may be smaller), decide what the
  // file is and which delimiter it uses.
  std::string head(1 << 16, '\0');
  ssize_t got = ::pread(fd_, head.data(), head.size(), 0);
  if (got < 0) return ErrnoError("reading " + path_);
  head.resize(static_cast<size_t>(got));
  RETURN_IF_ERROR(CheckLooksLikeText(path_, head));
  if (const auto lines = std::count(head.begin(), head.end(), '\n'); lines > 0) {
    bytes_per_row_ = static_cast<double>(head.size()) / static_cast<double>(lines);
  }
  RETURN_IF_ERROR(Fill());
  size_t bom = head.compare(0, 3, "\xEF\xBB\xBF") == 0 ? 3 : 0;
  if (bom != 0) begin_ = 3;
  // Leading blank lines are skipped, like the blank lines between rows.
  for (;;) {
    while (begin_ < end_ && (buf_[begin_] == '\n' || buf_[begin_] == '\r')) {
      if (buf_[begin_] == '\r' && begin_ + 1 == end_ && !eof_) break;
      if (buf_[begin_] == '\n' || begin_ + 1 >= end_ || buf_[begin_ + 1] != '\n') ++line_;
      ++begin_;
    }
    if ((begin_ < end_ && buf_[begin_] != '\r') || eof_) break;
    RETURN_IF_ERROR(Fill());
  }
  if (begin_ == end_) {
    return InvalidArgument("the file is empty: expected a header row of column names",
                           {path_, 0, 0, ""});
  }
  size_t skipped = consumed_offset_ + begin_;  // BOM and leading blank lines
  delim_ = delimiter != 0 ? delimiter
                          : DetectDelimiter(std::string_view(head).substr(std::min(skipped, head.size())));
  special_.fill(false);
  special_[static_cast<unsigned char>(delim_)] = true;
  special_['\n'] = special_['\r'] = true;

  RowBatch header;
  header.num_columns = 0;
  int64_t header_line = line_;
  for (;;) {
    size_t pos = begin_;
    Status error;
    header.Clear();
    RowEnd end = TokenizeRow(&pos, &header, &line_, &error);
    if (end == RowEnd::kError) return error;
    if (end == RowEnd::kComplete) {
      RETURN_IF_ERROR(CheckUtf8(header, begin_, pos, header_line));
      begin_ = pos;
      break;
    }
    RETURN_IF_ERROR(Fill());
  }
  header.text = buf_.data();
  for (int c = 0; c < static_cast<int>(header.fields.size()); ++c) names_.emplace_back(header.Field(0, c));
  RETURN_IF_ERROR(CheckColumnNames(path_, header_line, &names_));
  data_offset_ = consumed_offset_ + begin_;
  data_line_ = line_;
  return Status::OK();
}

Status CsvSource::Rewind() {
  if (::lseek(fd_, static_cast<off_t>(data_offset_), SEEK_SET) < 0) return ErrnoError("seeking " + path_);
  consumed_offset_ = data_offset_;
  begin_ = end_ = 0;
  block_ = nullptr;
  eof_ = false;
  line_ = data_line_;
  return Status::OK();
}

// Tokenizes one row starting at *pos. On kComplete, *pos is past the row's line end and the
// fields are appended to batch->fields; on kNeedMore nothing is appended.
RowEnd CsvSource::TokenizeRow(size_t* pos, RowBatch* batch, int64_t* line, Status* error) {
  const char* base = buf_.data();
  const char* p = base + *pos;
  const char* end = base + end_;
  size_t first_field = batch->fields.size();
  int64_t newlines = 0;
  auto need_more = [&]() {
    batch->fields.resize(first_field);
    return RowEnd::kNeedMore;
  };
  for (;;) {
    int column = static_cast<int>(batch->fields.size() - first_field) + 1;
    if (p < end && *p == '"') {
      const char* open = p;
      const char* q = p + 1;
      bool escaped = false;
      const char* close;
      for (;;) {
        close = static_cast<const char*>(std::memchr(q, '"', static_cast<size_t>(end - q)));
        if (close == nullptr || (close + 1 == end && !eof_)) {
          if (!eof_) return need_more();
          *error = InvalidArgument("unterminated quoted field: the quote opened here is never closed",
                                   Where(*line + newlines, column));
          return RowEnd::kError;
        }
        if (close + 1 < end && close[1] == '"') {
          escaped = true;
          q = close + 2;
          continue;
        }
        break;
      }
      newlines += std::count(open + 1, close, '\n');
      std::string_view raw(open + 1, static_cast<size_t>(close - open - 1));
      if (escaped) {
        FieldRef f = batch->Rewrite(raw);
        char* out = batch->rewritten.data() + (f.offset & ~FieldRef::kRewritten);
        for (size_t i = 0; i < raw.size(); ++i) {
          *out++ = raw[i];
          if (raw[i] == '"') ++i;  // the second of a doubled quote
        }
        f.size = static_cast<uint32_t>(out - (batch->rewritten.data() + (f.offset & ~FieldRef::kRewritten)));
        batch->rewritten.resize(batch->rewritten.size() - (raw.size() - f.size));
        batch->fields.push_back(f);
      } else {
        batch->fields.push_back({static_cast<uint32_t>(raw.data() - base), static_cast<uint32_t>(raw.size())});
      }
      p = close + 1;
      while (p < end && (*p == ' ' || *p == '\t') && *p != delim_) ++p;
      if (p < end && !special_[static_cast<unsigned char>(*p)]) {
        *error = InvalidArgument(std::string("unexpected character ") + Printable(*p) +
                                     " after a closing quote (a quote inside a quoted field is written twice: \"\")",
                                 Where(*line + newlines, column));
        return RowEnd::kError;
      }
    } else {
      const char* q = FindFieldEnd(p, end);
      batch->fields.push_back({static_cast<uint32_t>(p - base), static_cast<uint32_t>(q - p)});
      p = q;
    }
    if (p == end) {
      if (!eof_) return need_more();
      *line += newlines + 1;
      *pos = end_;
      return RowEnd::kComplete;
    }
    char c = *p++;
    if (c == delim_) continue;
    if (c == '\r') {
      if (p == end && !eof_) return need_more();
      if (p < end && *p == '\n') ++p;
    }
    *line += newlines + 1;
    *pos = static_cast<size_t>(p - base);
    return RowEnd::kComplete;
  }
}

Status CsvSource::CheckUtf8(const RowBatch& batch, size_t from, size_t to, int64_t first_line) {
  size_t bad = FindInvalidUtf8(buf_.data() + from, to - from);
  if (bad == std::string_view::npos) return Status::OK();
  const char* at = buf_.data() + from + bad;
  int64_t line = first_line + std::count(static_cast<const char*>(buf_.data() + from), at, '\n');
  int column = 0;
  const size_t offset = static_cast<size_t>(at - buf_.data());
  for (size_t i = 0; i < batch.fields.size() && column == 0; ++i) {
    const FieldRef f = batch.fields[i];
    if ((f.offset & FieldRef::kRewritten) == 0 && offset >= f.offset && offset < f.offset + size_t{f.size} + 1) {
      column = static_cast<int>(i % static_cast<size_t>(std::max(batch.num_columns, 1))) + 1;
    }
  }
  char hex[8];
  std::snprintf(hex, sizeof hex, "0x%02x", static_cast<unsigned char>(*at));
  std::string what = *at == 0 ? "a NUL byte: this looks like binary data, not text"
                              : std::string("invalid UTF-8 (byte ") + hex + ")";
  if (batch.num_columns == 0) column = 0;
  return InvalidArgument(what + "; save the file as UTF-8 text", Where(line, column));
}

// A self-contained batch keeps the buffer its fields point into, so nothing is copied but
// the start of the next row, which goes to the front of the buffer the source reads on in
// (the one the recycled batch brought back). Buffers are sized for about one batch, so
// what is left over stays small.
void CsvSource::HandOver(RowBatch* batch, size_t to) {
  const size_t left = end_ - to;
  // Room for another batch like this one (NextBatch grows it for a bigger one), and for a
  // read of some size after what is left over.
  const size_t size = std::max(BatchBytes(batch->rows), left + std::min(buffer_bytes_, size_t{1} << 16));
  std::vector<char> next = std::move(batch->arena);
  if (next.capacity() > 2 * size) std::vector<char>().swap(next);  // far too big: give it back
  next.resize(size + RowBatch::kPadding);
  std::memcpy(next.data(), buf_.data() + to, left);
  batch->arena = std::move(buf_);
  buf_ = std::move(next);
  block_ = nullptr;
  consumed_offset_ += to;
  begin_ = 0;
  end_ = left;
}

Result<bool> CsvSource::NextBatch(RowBatch* batch, int64_t max_rows) {
  batch->Clear();
  batch->num_columns = static_cast<int>(names_.size());
  // Sized once for a whole batch (batches are recycled), not doubled up to it row by row.
  batch->fields.reserve(static_cast<size_t>(std::min<int64_t>(max_rows, 1 << 20)) * names_.size());
  // A buffer full of what the last batch left is read on as it is, if it is big enough for
  // this batch; Fill grows a buffer for the batch, or for a row that does not fit in it.
  const size_t want = BatchBytes(max_rows);
  if (begin_ > 0 || end_ < Room() || Room() < want) RETURN_IF_ERROR(Fill(want));
  size_t batch_start = begin_;
  int64_t batch_line = line_;
  size_t pos = begin_;
  while (batch->rows < max_rows) {
    // Blank lines between rows are skipped, as pandas does.
    while (pos < end_ && (buf_[pos] == '\n' || buf_[pos] == '\r')) {
      if (buf_[pos] == '\r' && pos + 1 == end_ && !eof_) break;
      if (buf_[pos] == '\n' || pos + 1 >= end_ || buf_[pos + 1] != '\n') ++line_;
      ++pos;
    }
    if (pos == end_ && eof_) break;
    if (const int64_t plain = TokenizePlainRows(&pos, batch, max_rows - batch->rows); plain > 0) {
      batch->rows += plain;
      continue;  // blank lines may follow
    }
    int64_t row_line = line_;
    Status error;
    RowEnd result = pos == end_ ? RowEnd::kNeedMore : TokenizeRow(&pos, batch, &line_, &error);
    if (result == RowEnd::kError) return error;
    if (result == RowEnd::kNeedMore) {
      if (batch->rows > 0) break;  // hand out what we have; the next call reads on
      begin_ = pos;                // skipped blank lines stay consumed
      RETURN_IF_ERROR(Fill());
      pos = batch_start = begin_;
      continue;
    }
    size_t got = batch->fields.size() - static_cast<size_t>(batch->rows) * names_.size();
    if (got != names_.size()) {
      return InvalidArgument("expected " + std::to_string(names_.size()) + " fields (as in the header), found " +
                                 std::to_string(got),
                             Where(row_line, 0));
    }
    batch->lines.push_back(row_line);
    ++batch->rows;
  }
  RETURN_IF_ERROR(CheckUtf8(*batch, batch_start, pos, batch_line));
  batch->PadRewritten();
  if (batch->rows > 0) bytes_per_row_ = static_cast<double>(pos - batch_start) / static_cast<double>(batch->rows);
  batch->text = buf_.data();  // HandOver moves buf_ into the batch: the bytes stay where they are
  if (self_contained_ && batch->rows > 0) HandOver(batch, pos);
  else begin_ = pos;
  return batch->rows > 0;
}

}  // namespace

Status CheckLooksLikeText(const std::string& path, std::string_view head) {
  auto starts = [&](std::string_view magic) { return head.substr(0, magic.size()) == magic; };
  const char* what = nullptr;
  if (starts("\x1f\x8b")) what = "a gzip-compressed file: decompress it first";
  else if (starts(std::string_view("PK\x03\x04", 4))) what = "a zip archive: extract it first";
  else if (starts("\x28\xb5\x2f\xfd")) what = "a zstd-compressed file: decompress it first";
  else if (starts("PAR1")) what = "a Parquet file: Gyre reads CSV and JSON Lines";
  else if (starts("\x89PNG") || starts("\xff\xd8\xff")) what = "an image, not a table";
  else if (starts("SQLite format 3")) what = "an SQLite database, not a table";
  else if (head.find('\0') != std::string_view::npos && !starts("\xff\xfe") && !starts("\xfe\xff")) {
    what = "binary data (it holds NUL bytes), not text";
  } else if (starts("\xff\xfe") || starts("\xfe\xff")) {
    what = "UTF-16 text: save it as UTF-8";
  }
  if (what == nullptr) return Status::OK();
  return InvalidArgument(std::string("this is ") + what, {path, 1, 0, ""});
}

Status CheckColumnNames(const std::string& path, int64_t line, std::vector<std::string>* names) {
  for (size_t i = 0; i < names->size(); ++i) {
    if ((*names)[i].empty()) (*names)[i] = "Unnamed: " + std::to_string(i);
  }
  for (size_t i = 0; i < names->size(); ++i) {
    for (size_t j = 0; j < i; ++j) {
      if ((*names)[i] == (*names)[j]) {
        return InvalidArgument("duplicate column name \"" + (*names)[i] + "\" (also column " +
                                   std::to_string(j + 1) + "); column names must be unique",
                               {path, line, static_cast<int64_t>(i + 1), (*names)[i]});
      }
    }
  }
  return Status::OK();
}

Result<std::unique_ptr<RowSource>> OpenCsvSource(const std::string& path, char delimiter,
                                                 size_t buffer_bytes) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return NotFound("no such file: " + path);
    return ErrnoError("opening " + path);
  }
  auto source = std::make_unique<CsvSource>(path, fd, buffer_bytes);
  RETURN_IF_ERROR(source->Init(delimiter));
  return std::unique_ptr<RowSource>(std::move(source));
}

}  // namespace gyre
