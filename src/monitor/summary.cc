// Column summaries for drift: one pass over a file or a table, keeping each numeric column's
// values (sorted and grouped at the end) and each string column's category counts.
#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <thread>
#include <unordered_map>

#include "data/sort.h"
#include "monitor/drift.h"

namespace gyre {
namespace {

bool IsNumericType(ColumnType t) {
  return t == ColumnType::kInt64 || t == ColumnType::kFloat64 || t == ColumnType::kBool;
}

// Gathers one column across chunks.
struct Accumulator {
  std::string name;
  ColumnType type = ColumnType::kFloat64;
  int64_t missing = 0;
  std::vector<double> values;
  std::unordered_map<std::string, int64_t> categories;

  void Add(const Column& col) {
    type = col.type();
    const int64_t n = col.size();
    if (col.type() == ColumnType::kString) {
      std::vector<int64_t> per_code(col.dictionary().size(), 0);
      for (int64_t i = 0; i < n; ++i) {
        if (col.IsValid(i)) ++per_code[static_cast<size_t>(col.codes()[i])];
        else ++missing;
      }
      for (size_t code = 0; code < per_code.size(); ++code)
        if (per_code[code] > 0)
          categories[std::string(col.dictionary().Get(static_cast<int32_t>(code)))] += per_code[code];
      return;
    }
    if (!IsNumericType(col.type())) {  // timestamps are not tested for drift
      missing += col.null_count();
      return;
    }
    values.reserve(values.size() + static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i) {
      const double v = col.NumberAt(i);
      if (std::isfinite(v)) values.push_back(v);
      else ++missing;
    }
  }

  ColumnSummary Finish() {
    ColumnSummary s;
    s.name = name;
    s.type = type;
    s.missing = missing;
    RadixSortDoubles(values);
    s.numeric.size = static_cast<int64_t>(values.size());
    for (size_t i = 0; i < values.size();) {
      size_t j = i + 1;
      while (j < values.size() && values[j] == values[i]) ++j;
      s.numeric.values.push_back(values[i]);
      s.numeric.counts.push_back(static_cast<int64_t>(j - i));
      i = j;
    }
    std::vector<double>().swap(values);
    s.categories.assign(categories.begin(), categories.end());
    std::sort(s.categories.begin(), s.categories.end());
    return s;
  }
};

// Sorting dominates and columns are independent: two threads take them in turn.
std::vector<ColumnSummary> FinishAll(std::vector<Accumulator>& acc) {
  std::vector<ColumnSummary> out(acc.size());
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t c; (c = next.fetch_add(1)) < acc.size();) out[c] = acc[c].Finish();
  };
  std::thread helper(work);
  work();
  helper.join();
  return out;
}

class SummarySink : public ChunkSink {
 public:
  Status Begin(const std::vector<ColumnInfo>& columns) override {
    acc_.clear();
    for (const ColumnInfo& c : columns) acc_.push_back(Accumulator{c.name, c.type, 0, {}, {}});
    rows_ = 0;
    return Status::OK();
  }
  Status Consume(const Chunk& chunk) override {
    for (int c = 0; c < chunk.table.num_columns(); ++c) acc_[c].Add(chunk.table.column(c));
    rows_ += chunk.table.num_rows();
    return Status::OK();
  }
  DatasetSummary Finish() {
    DatasetSummary out;
    out.rows = rows_;
    out.columns = FinishAll(acc_);
    return out;
  }

 private:
  std::vector<Accumulator> acc_;
  int64_t rows_ = 0;
};

}  // namespace

int64_t ColumnSummary::count() const {
  if (type == ColumnType::kString) {
    int64_t n = 0;
    for (const auto& [key, c] : categories) n += c;
    return n;
  }
  return numeric.size;
}

int64_t ColumnSummary::distinct() const {
  return type == ColumnType::kString ? static_cast<int64_t>(categories.size())
                                     : numeric.distinct();
}

const ColumnSummary* DatasetSummary::Find(const std::string& name) const {
  for (const ColumnSummary& c : columns)
    if (c.name == name) return &c;
  return nullptr;
}

Result<DatasetSummary> SummarizeFile(const std::string& path, const ReadOptions& options) {
  SummarySink sink;
  ASSIGN_OR_RETURN(ScanSummary scan, ScanFile(path, options, sink));
  DatasetSummary out = sink.Finish();
  for (size_t i = 0; i < out.columns.size() && i < scan.columns.size(); ++i)
    out.columns[i].type = scan.columns[i].type;
  return out;
}

DatasetSummary SummarizeTable(const Table& table) {
  std::vector<Accumulator> acc;
  for (int c = 0; c < table.num_columns(); ++c) {
    acc.push_back(Accumulator{table.column(c).name(), table.column(c).type(), 0, {}, {}});
    acc.back().Add(table.column(c));
  }
  DatasetSummary out;
  out.rows = table.num_rows();
  out.columns = FinishAll(acc);
  return out;
}

}  // namespace gyre
