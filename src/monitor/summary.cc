// Column summaries for drift: one pass over a file or a table, counting each numeric column's
// values (or, once they fit no counts, keeping them, sorted and grouped at the end) and each
// string column's categories.
#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <thread>
#include <unordered_map>

#include "data/sort.h"
#include "data/value_counts.h"
#include "monitor/drift.h"

namespace gyre {
namespace {

// Two sorted samples as one. Written through pointers into arrays sized for the worst case
// (no value shared), then cut to what was used: merging is a large part of summarizing.
NumericSample Merge(const NumericSample& a, const NumericSample& b) {
  NumericSample out;
  out.size = a.size + b.size;
  const size_t na = a.values.size(), nb = b.values.size();
  out.values.resize(na + nb);
  out.counts.resize(na + nb);
  const double* av = a.values.data();
  const double* bv = b.values.data();
  const int64_t* ac = a.counts.data();
  const int64_t* bc = b.counts.data();
  double* ov = out.values.data();
  int64_t* oc = out.counts.data();
  size_t i = 0, j = 0, k = 0;
  while (i < na && j < nb) {
    const double x = av[i], y = bv[j];
    if (x < y) {
      ov[k] = x;
      oc[k] = ac[i++];
    } else if (y < x) {
      ov[k] = y;
      oc[k] = bc[j++];
    } else {
      ov[k] = x;
      oc[k] = ac[i++] + bc[j++];
    }
    ++k;
  }
  for (; i < na; ++i, ++k) ov[k] = av[i], oc[k] = ac[i];
  for (; j < nb; ++j, ++k) ov[k] = bv[j], oc[k] = bc[j];
  out.values.resize(k);
  out.counts.resize(k);
  // Values both sides held leave room unused; a summary lives long (the whole comparison), so
  // give it back when it is much.
  if (out.values.capacity() > k + k / 4) {
    out.values.shrink_to_fit();
    out.counts.shrink_to_fit();
  }
  return out;
}

// The counted values as a sample: what ValueCounts holds is already distinct and ascending.
NumericSample SampleOf(const ValueCounts& counted) {
  NumericSample out;
  out.size = counted.total();
  counted.Distribution(&out.values, &out.counts);
  return out;
}

// Gathers one column across chunks. Numbers are counted while they fit ValueCounts (most
// columns read from text do): no value is kept or sorted. Past that they are kept as distinct
// values with counts, each chunk sorted and merged into runs of doubling size (as a binary
// counter carries), so memory follows the distinct values rather than the rows.
struct Accumulator {
  // Values gathered before they are sorted into a run: 1 MiB a column, few enough runs.
  static constexpr size_t kScratchValues = 1 << 17;

  std::string name;
  ColumnType type = ColumnType::kFloat64;
  int64_t missing = 0;
  bool count_only = false;  // no values kept: the column will not be tested
  std::vector<NumericSample> runs;  // runs[i]: empty, or about 2^i chunks' worth
  std::unordered_map<std::string, int64_t> categories;
  std::vector<double> scratch;
  ValueCounts counted;
  bool counting = true;

  void AddStrings(const Column& col) {
    std::vector<int64_t> per_code(col.dictionary().size(), 0);
    for (int64_t i = 0; i < col.size(); ++i) {
      if (col.IsValid(i)) ++per_code[static_cast<size_t>(col.codes()[i])];
      else ++missing;
    }
    for (size_t code = 0; code < per_code.size(); ++code)
      if (per_code[code] > 0)
        categories[std::string(col.dictionary().Get(static_cast<int32_t>(code)))] += per_code[code];
  }

  void AddRun(NumericSample run) {
    for (size_t level = 0;; ++level) {
      if (level == runs.size()) runs.emplace_back();
      if (runs[level].size == 0) {
        runs[level] = std::move(run);
        return;
      }
      run = Merge(runs[level], run);
      runs[level] = NumericSample();
    }
  }

  void Add(const Column& col, uint64_t max_keys) {
    type = col.type();
    if (col.type() == ColumnType::kString && !count_only) return AddStrings(col);
    if (!SummarizedAsNumbers(col.type()) || count_only) {  // timestamps are not tested for drift
      missing += col.null_count();
      return;
    }
    const size_t before = scratch.size();
    AppendFinite(col);
    if (counting && counted.Add(std::span<const double>(scratch).subspan(before), max_keys)) {
      scratch.resize(before);
      return;
    }
    if (counting) {  // from here on, values are kept
      counting = false;
      if (counted.total() > 0) AddRun(SampleOf(counted));
      counted = ValueCounts();
    }
    if (scratch.size() >= kScratchValues) Flush();
  }

  // Appends the column's finite values to scratch; the others are missing.
  void AppendFinite(const Column& col) {
    scratch.reserve(kScratchValues + static_cast<size_t>(col.size()));
    if (col.type() == ColumnType::kFloat64) {  // the common case, without a switch per value
      const double* d = col.doubles().data();
      for (int64_t i = 0; i < col.size(); ++i) {
        if (col.IsValid(i) && std::isfinite(d[i])) scratch.push_back(d[i]);
        else ++missing;
      }
    } else {
      for (int64_t i = 0; i < col.size(); ++i) {
        const double v = col.NumberAt(i);
        if (std::isfinite(v)) scratch.push_back(v);
        else ++missing;
      }
    }
  }

  // Sorts and groups the values gathered since the last flush into a run.
  void Flush() {
    if (scratch.empty()) return;
    RadixSortDoubles(scratch);
    NumericSample run;
    run.size = static_cast<int64_t>(scratch.size());
    size_t distinct = 1;  // counted first, so that the run is sized exactly (scratch is not empty)
    for (size_t i = 1; i < scratch.size(); ++i) distinct += scratch[i] != scratch[i - 1];
    run.values.resize(distinct);
    run.counts.resize(distinct);
    double* values = run.values.data();
    int64_t* counts = run.counts.data();
    size_t k = 0;
    for (size_t i = 0; i < scratch.size();) {
      size_t j = i + 1;
      while (j < scratch.size() && scratch[j] == scratch[i]) ++j;
      values[k] = scratch[i];
      counts[k++] = static_cast<int64_t>(j - i);
      i = j;
    }
    scratch.clear();
    AddRun(std::move(run));
  }

  ColumnSummary Finish() {
    ColumnSummary s;
    s.name = name;
    s.type = type;
    s.missing = missing;
    if (counting) {
      s.numeric = SampleOf(counted);
      counted = ValueCounts();
    }
    Flush();
    std::vector<double>().swap(scratch);
    for (NumericSample& run : runs) {
      s.numeric = s.numeric.size == 0 ? std::move(run) : Merge(s.numeric, run);
      run = NumericSample();  // freed as soon as it is merged, not at the end
    }
    runs.clear();
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
  explicit SummarySink(const std::vector<std::string>& count_only) : count_only_(count_only) {}
  Status Begin(const std::vector<ColumnInfo>& columns) override {
    acc_.clear();
    for (const ColumnInfo& c : columns) {
      acc_.push_back(Accumulator{c.name, c.type, 0, false, {}, {}, {}});
      acc_.back().count_only = std::count(count_only_.begin(), count_only_.end(), c.name) > 0;
    }
    rows_ = 0;
    return Status::OK();
  }
  Status Consume(const Chunk& chunk) override {
    if (rows_ == 0) expected_rows_ = chunk.EstimatedFileRows();
    const uint64_t max_keys =
        ValueCounts::KeyLimit(std::max<uint64_t>(expected_rows_, static_cast<uint64_t>(rows_ + chunk.table.num_rows())));
    for (int c = 0; c < chunk.table.num_columns(); ++c) acc_[c].Add(chunk.table.column(c), max_keys);
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
  const std::vector<std::string>& count_only_;
  std::vector<Accumulator> acc_;
  int64_t rows_ = 0;
  uint64_t expected_rows_ = 0;
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

Result<DatasetSummary> SummarizeFile(const std::string& path, const ReadOptions& options,
                                     const std::vector<std::string>& count_only) {
  SummarySink sink(count_only);
  ASSIGN_OR_RETURN(ScanSummary scan, ScanFile(path, options, sink));
  DatasetSummary out = sink.Finish();
  for (size_t i = 0; i < out.columns.size() && i < scan.columns.size(); ++i)
    out.columns[i].type = scan.columns[i].type;
  return out;
}

DatasetSummary SummarizeTable(const Table& table) { return SummarizeTable(table, table.ColumnNames()); }

DatasetSummary SummarizeTable(const Table& table, const std::vector<std::string>& columns) {
  std::vector<Accumulator> acc;
  for (int c = 0; c < table.num_columns(); ++c) {
    if (std::find(columns.begin(), columns.end(), table.column(c).name()) == columns.end()) continue;
    acc.push_back(Accumulator{table.column(c).name(), table.column(c).type(), 0, false, {}, {}, {}});
    acc.back().Add(table.column(c), ValueCounts::KeyLimit(static_cast<uint64_t>(table.num_rows())));
  }
  DatasetSummary out;
  out.rows = table.num_rows();
  out.columns = FinishAll(acc);
  return out;
}

}  // namespace gyre
