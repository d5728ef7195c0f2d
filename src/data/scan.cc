// The scan engine: batches of text fields become typed chunk columns. Types are inferred over
// the whole file with widening (bool, int -> float, timestamp; anything mixed -> string). A
// widening that earlier chunks cannot absorb (say int to string) classifies the rest of the
// file, then starts over once with the final types: at most two passes, usually one.
#include <algorithm>
#include <atomic>
#include <type_traits>

#include "core/env.h"
#include "data/chunk_pipe.h"
#include "data/helper_thread.h"
#include "data/prefetcher.h"
#include "data/reader.h"
#include "data/row_source.h"
#include "data/text_parse.h"

namespace gyre {
namespace {

constexpr size_t kMaxTypeErrorExamples = 5;

struct ColumnState {
  Kind kind = Kind::kNull;
  bool fixed = false;
  bool emitted_values = false;  // a chunk with a non-null value of this column was handed out
};

// Appends the parsed field of a batch (padded: see RowBatch) to `col`, whose type matches
// `kind`; false if it does not parse.
bool AppendParsed(std::string_view f, Kind kind, Column* col) {
  switch (kind) {
    case Kind::kInt: {
      int64_t v;
      if (!ParseInt64(f, &v)) return false;
      col->AppendInt(v);
      return true;
    }
    case Kind::kNull: return false;  // the first value decides the kind
    case Kind::kFloat: {
      double v;
      if (!ParseDouble(f, &v)) return false;
      col->AppendDouble(v);
      return true;
    }
    case Kind::kBool: {
      bool v;
      if (!ParseBool(f, &v)) return false;
      col->AppendBool(v);
      return true;
    }
    case Kind::kTimestamp: {
      auto v = ParseTimestamp(f);
      if (!v) return false;
      col->AppendInt(*v);
      return true;
    }
    case Kind::kString: col->AppendStringPadded(f); return true;  // f is a batch's field
  }
  return false;
}

// Parses the fields of column `c` from row `r` on straight into a buffer, appended whole, for
// as long as they parse: the common case of a numeric column, without a type switch, a
// capacity check and a validity bit per value. Returns the row that did not parse (to be
// handled on its own), or the batch's end.
template <typename T, bool (*Parse)(std::string_view, T*)>
int64_t AppendParsedRun(const RowBatch& batch, int c, int64_t r, Column* out) {
  constexpr int64_t kRun = 256;
  T values[kRun];
  while (r < batch.rows) {
    const int64_t end = std::min(batch.rows, r + kRun);
    int64_t i = r;
    while (i < end && Parse(batch.Field(i, c), &values[i - r])) ++i;
    if constexpr (std::is_same_v<T, double>) out->AppendDoubles({values, static_cast<size_t>(i - r)});
    else out->AppendInts({values, static_cast<size_t>(i - r)});
    if (i < end) return i;
    r = end;
  }
  return r;
}

// Batches from the source, read ahead on another thread when `prefetch` is set.
class BatchStream {
 public:
  BatchStream(RowSource* source, int64_t rows, bool prefetch) : source_(source), rows_(rows) {
    if (prefetch) prefetcher_ = std::make_unique<BatchPrefetcher>(source, rows);
  }

  // The next batch, valid until the next call; nullptr at the end.
  Result<RowBatch*> Next() {
    if (prefetcher_) {
      if (current_) prefetcher_->Recycle(std::move(current_));
      ASSIGN_OR_RETURN(current_, prefetcher_->Next());
      return current_.get();
    }
    if (!current_) current_ = std::make_unique<RowBatch>();
    ASSIGN_OR_RETURN(bool more, source_->NextBatch(current_.get(), rows_));
    current_->bytes_read = source_->bytes_read();
    return more ? current_.get() : nullptr;
  }

 private:
  RowSource* source_;
  int64_t rows_;
  std::unique_ptr<BatchPrefetcher> prefetcher_;
  std::unique_ptr<RowBatch> current_;
};

class Scanner {
 public:
  Scanner(const std::string& path, const ReadOptions& options, RowSource* source, ChunkSink* sink)
      : path_(path), options_(options), source_(source), sink_(sink) {}

  Result<ScanSummary> Run();

 private:
  void InitStates();
  // Converts column `c` of the batch; returns false when its kind widened past what earlier
  // chunks allow (the scan must restart).
  bool ConvertColumn(const RowBatch& batch, int c, Column* out);
  // Converts every column of the batch, on two threads when `helper` is given.
  bool ConvertAll(const RowBatch& batch, std::vector<Column>* cols, HelperThread* helper);
  // Joins the kinds of every remaining field into the column states.
  Status ClassifyRest(BatchStream* stream);
  std::vector<ColumnInfo> CurrentColumns() const;

  const std::string& path_;
  const ReadOptions& options_;
  RowSource* source_;
  ChunkSink* sink_;
  uint64_t file_bytes_ = 0;
  std::vector<ColumnState> states_;
  std::vector<TypeErrors> errors_;
  int64_t first_row_ = 0;
};

void Scanner::InitStates() {
  const auto& names = source_->column_names();
  states_.assign(names.size(), ColumnState{});
  errors_.assign(names.size(), TypeErrors{});
  for (size_t c = 0; c < names.size(); ++c) {
    auto it = options_.fixed_types.find(names[c]);
    if (it != options_.fixed_types.end()) {
      states_[c].kind = KindOfType(it->second);
      states_[c].fixed = true;
    }
  }
}

std::vector<ColumnInfo> Scanner::CurrentColumns() const {
  std::vector<ColumnInfo> cols;
  const auto& names = source_->column_names();
  for (size_t c = 0; c < names.size(); ++c) cols.push_back({names[c], TypeOfKind(states_[c].kind)});
  return cols;
}

bool Scanner::ConvertColumn(const RowBatch& batch, int c, Column* out) {
  ColumnState& st = states_[static_cast<size_t>(c)];
  for (;;) {
    out->Reset(out->name(), TypeOfKind(st.kind));
    out->Reserve(batch.rows);
    int64_t r = 0;
    Kind widened = st.kind;
    for (; r < batch.rows; ++r) {
      if (st.kind == Kind::kFloat) r = AppendParsedRun<double, ParseDouble>(batch, c, r, out);
      else if (st.kind == Kind::kInt) r = AppendParsedRun<int64_t, ParseInt64>(batch, c, r, out);
      if (r == batch.rows) break;
      std::string_view f = batch.Field(r, c);
      // No missing-value token parses as a bool, number or timestamp, so for those kinds the
      // parse comes first and the token check only runs when it fails.
      if (st.kind != Kind::kString && AppendParsed(f, st.kind, out)) continue;
      if (IsNullToken(f)) {
        out->AppendNull();
        continue;
      }
      if (st.kind == Kind::kString) {
        out->AppendStringPadded(f);
        continue;
      }
      if (st.fixed) {
        TypeErrors& e = errors_[static_cast<size_t>(c)];
        if (e.example_rows.size() < kMaxTypeErrorExamples) {
          e.example_rows.push_back(first_row_ + r + 1);
          e.example_values.emplace_back(f.substr(0, 64));
        }
        ++e.count;
        out->AppendNull();
        continue;
      }
      widened = JoinKinds(st.kind, Classify(f));
      if (st.kind == Kind::kInt && widened == Kind::kFloat) {
        out->PromoteToFloat();  // cheap, exact, and earlier chunks can widen the same way
        st.kind = Kind::kFloat;
        if (!AppendParsed(f, st.kind, out)) return false;
        continue;
      }
      break;
    }
    if (r == batch.rows) return true;
    // A null-only column may take any type; one whose values were handed out restarts.
    if (st.emitted_values) {
      st.kind = widened;
      return false;
    }
    st.kind = widened;
  }
}

bool Scanner::ConvertAll(const RowBatch& batch, std::vector<Column>* cols, HelperThread* helper) {
  // Columns are independent (each has its own state and errors), so this thread and the
  // helper take them one at a time from a shared counter: columns differ in cost (a string
  // or a timestamp costs more than a small integer), and a fixed split would leave one idle.
  std::atomic<size_t> next{0};
  std::atomic<bool> ok{true};
  auto convert = [&] {
    for (size_t c; (c = next++) < cols->size();) {
      if (!ConvertColumn(batch, static_cast<int>(c), &(*cols)[c])) ok = false;
    }
  };
  if (helper) helper->Start(convert);
  convert();
  if (helper) helper->Wait();
  return ok;
}

Status Scanner::ClassifyRest(BatchStream* stream) {
  for (;;) {
    ASSIGN_OR_RETURN(RowBatch* batch, stream->Next());
    if (batch == nullptr) return Status::OK();
    for (int c = 0; c < batch->num_columns; ++c) {
      ColumnState& st = states_[static_cast<size_t>(c)];
      if (st.fixed || st.kind == Kind::kString) continue;
      for (int64_t r = 0; r < batch->rows; ++r) {
        std::string_view f = batch->Field(r, c);
        if (!IsNullToken(f)) st.kind = JoinKinds(st.kind, Classify(f));
      }
    }
  }
}

Result<ScanSummary> Scanner::Run() {
  ScanSummary summary;
  InitStates();
  auto size = Env::Default()->FileSize(path_);
  file_bytes_ = size.ok() ? *size : 0;
  const auto& names = source_->column_names();
  std::unique_ptr<ChunkPipe> pipe;
  std::unique_ptr<HelperThread> helper;
  if (options_.pipeline) {
    pipe = std::make_unique<ChunkPipe>(sink_);
    if (names.size() > 1) helper = std::make_unique<HelperThread>();
  }
  for (int pass = 1;; ++pass) {
    RETURN_IF_ERROR(sink_->Begin(CurrentColumns()));
    first_row_ = 0;
    bool restart = false;
    BatchStream stream(source_, options_.chunk_rows, options_.pipeline);
    std::unique_ptr<Chunk> spare;  // a consumed chunk to reuse (without the pipe)
    for (;;) {
      ASSIGN_OR_RETURN(RowBatch* next, stream.Next());
      if (next == nullptr) break;
      const RowBatch& batch = *next;
      std::unique_ptr<Chunk> chunk = pipe ? pipe->TakeRecycled() : std::move(spare);
      if (!chunk) chunk = std::make_unique<Chunk>();
      std::vector<Column> cols = chunk->table.ReleaseColumns();
      cols.resize(names.size(), Column("", ColumnType::kFloat64));
      for (size_t c = 0; c < names.size(); ++c) cols[c].Reset(names[c], ColumnType::kFloat64);
      restart = !ConvertAll(batch, &cols, helper.get());
      for (size_t c = 0; c < names.size(); ++c) {
        states_[c].emitted_values |= cols[c].null_count() < cols[c].size();
        chunk->table.AddColumn(std::move(cols[c]));
      }
      if (restart) break;
      chunk->first_row = first_row_;
      chunk->lines = batch.lines;
      chunk->bytes_read = batch.bytes_read;
      chunk->file_bytes = file_bytes_;
      first_row_ += batch.rows;
      if (pipe) {
        RETURN_IF_ERROR(pipe->Push(std::move(chunk)));
      } else {
        RETURN_IF_ERROR(sink_->Consume(*chunk));
        spare = std::move(chunk);
      }
      if (options_.on_progress) options_.on_progress(batch.bytes_read);
    }
    if (pipe) RETURN_IF_ERROR(pipe->Drain());  // the sink is idle before Begin or the end
    if (!restart) {
      summary.passes = pass;
      break;
    }
    RETURN_IF_ERROR(ClassifyRest(&stream));
    stream = BatchStream(source_, 0, false);  // joins the reader before the rewind
    RETURN_IF_ERROR(source_->Rewind());
    for (auto& st : states_) st.emitted_values = false;
    for (auto& e : errors_) e = TypeErrors{};
  }
  if (first_row_ == 0 && !options_.allow_empty) {
    return InvalidArgument("the file has a header but no data rows", {path_, 0, 0, ""});
  }
  summary.rows = first_row_;
  summary.bytes = source_->bytes_read();
  summary.delimiter = source_->delimiter();
  summary.columns = CurrentColumns();
  summary.type_errors = std::move(errors_);
  return summary;
}

// Gathers chunks into one table.
class TableSink : public ChunkSink {
 public:
  explicit TableSink(ChunkSink* also) : also_(also) {}
  Status Begin(const std::vector<ColumnInfo>& columns) override {
    table_ = Table();
    for (const auto& c : columns) table_.AddColumn(Column(c.name, c.type));
    return also_ ? also_->Begin(columns) : Status::OK();
  }
  Status Consume(const Chunk& chunk) override {
    if (also_) RETURN_IF_ERROR(also_->Consume(chunk));
    // Room for the whole file at once (reserved, not yet touched): growing each column by
    // doubling copied every value again and again and faulted in twice the memory.
    const uint64_t rows = chunk.first_row == 0 ? chunk.EstimatedFileRows() : 0;
    for (int c = 0; c < table_.num_columns(); ++c) {
      Column& dst = table_.column(c);
      const Column& src = chunk.table.column(c);
      if (dst.type() != src.type()) {
        if (dst.type() == ColumnType::kInt64 && src.type() == ColumnType::kFloat64) {
          dst.PromoteToFloat();
        } else if (dst.null_count() == dst.size()) {
          dst.ResetType(src.type());
        }
      }
      if (dst.type() == ColumnType::kFloat64 && src.type() == ColumnType::kInt64) {
        for (int64_t i = 0; i < src.size(); ++i) {
          if (src.IsValid(i)) dst.AppendDouble(static_cast<double>(src.ints()[static_cast<size_t>(i)]));
          else dst.AppendNull();
        }
        continue;
      }
      if (dst.type() != src.type()) return Internal("column " + dst.name() + " changed type twice");
      if (rows > 0) dst.Reserve(static_cast<int64_t>(rows));
      dst.AppendAll(src);
    }
    return Status::OK();
  }
  Table Take() { return std::move(table_); }

 private:
  ChunkSink* also_;
  Table table_;
};

bool EndsWith(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

FileFormat DetectFormat(const std::string& path) {
  if (EndsWith(path, ".jsonl") || EndsWith(path, ".ndjson") || EndsWith(path, ".json")) {
    return FileFormat::kJsonl;
  }
  return FileFormat::kCsv;
}

const char* FileFormatName(FileFormat format) {
  switch (format) {
    case FileFormat::kAuto: return "auto";
    case FileFormat::kCsv: return "csv";
    case FileFormat::kJsonl: return "jsonl";
  }
  return "?";
}

Result<ScanSummary> ScanFile(const std::string& path, const ReadOptions& options, ChunkSink& sink) {
  FileFormat format = options.format == FileFormat::kAuto ? DetectFormat(path) : options.format;
  std::unique_ptr<RowSource> source;
  if (format == FileFormat::kJsonl) {
    ASSIGN_OR_RETURN(source, OpenJsonlSource(path));
  } else {
    ASSIGN_OR_RETURN(source, OpenCsvSource(path, options.delimiter, options.buffer_bytes));
  }
  Scanner scanner(path, options, source.get(), &sink);
  ASSIGN_OR_RETURN(ScanSummary summary, scanner.Run());
  summary.format = format;
  return summary;
}

Result<Table> ReadTable(const std::string& path, const ReadOptions& options, ScanSummary* summary, ChunkSink* also) {
  TableSink sink(also);
  ASSIGN_OR_RETURN(ScanSummary s, ScanFile(path, options, sink));
  if (summary != nullptr) *summary = std::move(s);
  return sink.Take();
}

}  // namespace gyre
