#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "data/reader.h"
#include "tests/test_util.h"

namespace gyre {
namespace {

Result<Table> ReadText(testing::TempDir& dir, const std::string& text, ReadOptions o = {},
                       ScanSummary* summary = nullptr, const std::string& name = "t.csv") {
  return ReadTable(dir.Write(name, text), o, summary);
}

TEST(CsvReaderTest, InfersTypesAndMissingValues) {
  testing::TempDir dir;
  ScanSummary s;
  ASSERT_OK_AND_ASSIGN(Table t, ReadText(dir,
                                         "i,f,b,s,t\n"
                                         "1,1.5,true,x,2024-01-05\n"
                                         "NA,,False,NULL,2024-01-05T10:20:30+02:00\n"
                                         "-3,1e3,TRUE,\"y, z\",\n",
                                         {}, &s));
  ASSERT_EQ(t.num_rows(), 3);
  EXPECT_EQ(s.rows, 3);
  EXPECT_EQ(t.column(0).type(), ColumnType::kInt64);
  EXPECT_EQ(t.column(1).type(), ColumnType::kFloat64);
  EXPECT_EQ(t.column(2).type(), ColumnType::kBool);
  EXPECT_EQ(t.column(3).type(), ColumnType::kString);
  EXPECT_EQ(t.column(4).type(), ColumnType::kTimestamp);
  EXPECT_FALSE(t.column(0).IsValid(1));
  EXPECT_EQ(t.column(0).ints()[2], -3);
  EXPECT_EQ(t.column(1).doubles()[2], 1000.0);
  EXPECT_EQ(t.column(3).StringAt(2), "y, z");
  EXPECT_EQ(t.column(3).null_count(), 1);
  EXPECT_EQ(t.column(4).ValueToString(1), "2024-01-05T08:20:30Z");
}

TEST(CsvReaderTest, QuotesCrlfBomAndBlankLines) {
  testing::TempDir dir;
  ASSERT_OK_AND_ASSIGN(Table t, ReadText(dir, "\xEF\xBB\xBF" "a,b\r\n\r\n\"he said \"\"hi\"\"\",\"two\r\nlines\"\r\n3,4"));
  ASSERT_EQ(t.num_rows(), 2);
  EXPECT_EQ(t.column(0).name(), "a");
  EXPECT_EQ(t.column(0).StringAt(0), "he said \"hi\"");
  EXPECT_EQ(t.column(1).StringAt(0), "two\r\nlines");
  EXPECT_EQ(t.column(1).StringAt(1), "4");
}

TEST(CsvReaderTest, DetectsDelimiters) {
  testing::TempDir dir;
  for (char d : {',', ';', '\t', '|'}) {
    std::string text = std::string("a") + d + "b" + d + "c\n1" + d + "2,5" + d + "x\n";
    if (d == ',') text = "a,b,c\n1,\"2,5\",x\n";
    ScanSummary s;
    ASSERT_OK_AND_ASSIGN(Table t, ReadText(dir, text, {}, &s));
    EXPECT_EQ(s.delimiter, d);
    ASSERT_EQ(t.num_columns(), 3) << "delimiter " << d;
    EXPECT_EQ(t.column(1).StringAt(0), "2,5");
  }
}

TEST(CsvReaderTest, WidensIntToFloatAcrossChunks) {
  testing::TempDir dir;
  std::string text = "x\n";
  for (int i = 0; i < 5000; ++i) text += std::to_string(i) + "\n";
  text += "2.5\n";
  ReadOptions o;
  o.chunk_rows = 100;
  ScanSummary s;
  ASSERT_OK_AND_ASSIGN(Table t, ReadText(dir, text, o, &s));
  EXPECT_EQ(s.passes, 1) << "int to float needs no second pass";
  ASSERT_EQ(t.column(0).type(), ColumnType::kFloat64);
  EXPECT_EQ(t.column(0).doubles()[4999], 4999.0);
  EXPECT_EQ(t.column(0).doubles()[5000], 2.5);
}

TEST(CsvReaderTest, WidensToStringLateWithOneRestart) {
  testing::TempDir dir;
  std::string text = "id,x\n";
  for (int i = 0; i < 5000; ++i) text += std::to_string(i) + "," + std::to_string(i % 7) + "\n";
  text += "5000,seven\n";
  ReadOptions o;
  o.chunk_rows = 128;
  ScanSummary s;
  ASSERT_OK_AND_ASSIGN(Table t, ReadText(dir, text, o, &s));
  EXPECT_EQ(s.passes, 2);
  EXPECT_EQ(t.num_rows(), 5001);
  ASSERT_EQ(t.column(1).type(), ColumnType::kString);
  EXPECT_EQ(t.column(0).type(), ColumnType::kInt64);
  EXPECT_EQ(t.column(1).StringAt(13), "6");
  EXPECT_EQ(t.column(1).StringAt(5000), "seven");
}

TEST(CsvReaderTest, NullOnlyColumnTakesTypeOfFirstValueWithoutRestart) {
  testing::TempDir dir;
  std::string text = "a,b\n";
  for (int i = 0; i < 1000; ++i) text += std::to_string(i) + ",\n";
  text += "1000,hello\n";
  ReadOptions o;
  o.chunk_rows = 64;
  ScanSummary s;
  ASSERT_OK_AND_ASSIGN(Table t, ReadText(dir, text, o, &s));
  EXPECT_EQ(s.passes, 1);
  EXPECT_EQ(t.column(1).type(), ColumnType::kString);
  EXPECT_EQ(t.column(1).null_count(), 1000);
}

TEST(CsvReaderTest, MixedBoolAndIntBecomesString) {
  testing::TempDir dir;
  ASSERT_OK_AND_ASSIGN(Table t, ReadText(dir, "a\ntrue\n1\n"));
  EXPECT_EQ(t.column(0).type(), ColumnType::kString);
}

// Tiny buffers force every field, quote and line end across a buffer boundary (and across
// the 64-byte blocks the tokenizer indexes at once): the result must not change.
TEST(CsvReaderTest, BufferSizeDoesNotChangeTheResult) {
  testing::TempDir dir;
  std::string text = "name,notes,value\r\n";
  for (int i = 0; i < 300; ++i) {
    text += "row" + std::to_string(i) + ",\"multi\nline \"\"quoted\"\", with comma\"," + std::to_string(i * 0.25) +
            (i % 3 ? "\r\n" : "\n");
    if (i % 50 == 0) text += "\n";
  }
  std::string path = dir.Write("b.csv", text);
  ASSERT_OK_AND_ASSIGN(Table big, ReadTable(path));
  for (size_t buffer : {16, 17, 31, 64, 100, 129, 257, 1000}) {
    ReadOptions o;
    o.buffer_bytes = buffer;
    o.chunk_rows = 7;
    ASSERT_OK_AND_ASSIGN(Table small, ReadTable(path, o));
    ASSERT_EQ(small.num_rows(), big.num_rows()) << buffer;
    for (int c = 0; c < big.num_columns(); ++c) {
      for (int64_t r = 0; r < big.num_rows(); ++r) {
        ASSERT_EQ(small.column(c).ValueToString(r), big.column(c).ValueToString(r)) << "buffer " << buffer << " row " << r;
      }
    }
  }
  EXPECT_EQ(big.num_rows(), 300);
  EXPECT_EQ(big.column(1).StringAt(0), "multi\nline \"quoted\", with comma");
}

TEST(CsvReaderTest, ErrorsNameLineAndColumn) {
  testing::TempDir dir;
  auto r = ReadText(dir, "a,b,c\n1,2,3\n4,5\n");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status().where().line, 3);
  EXPECT_NE(r.status().ToString().find("expected 3 fields"), std::string::npos) << r.status().ToString();

  r = ReadText(dir, "a,b\n1,2\n3,\"open\n4,5\n");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().where().line, 3);
  EXPECT_EQ(r.status().where().column, 2);
  EXPECT_EQ(r.status().where().field, "b");

  r = ReadText(dir, "a,b\n1,2\n3,caf\xe9\n");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().where().line, 3);
  EXPECT_EQ(r.status().where().column, 2);
  EXPECT_NE(r.status().message().find("invalid UTF-8"), std::string::npos);

  r = ReadText(dir, "a,b,a\n1,2,3\n");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().where().column, 3);
  EXPECT_NE(r.status().message().find("duplicate column name"), std::string::npos);
}

TEST(CsvReaderTest, FixedTypesCountTypeErrors) {
  testing::TempDir dir;
  ReadOptions o;
  o.fixed_types["n"] = ColumnType::kInt64;
  ScanSummary s;
  ASSERT_OK_AND_ASSIGN(Table t, ReadText(dir, "n\n1\n2.5\nabc\n4\n", o, &s));
  EXPECT_EQ(t.column(0).type(), ColumnType::kInt64);
  ASSERT_EQ(s.type_errors.size(), 1u);
  EXPECT_EQ(s.type_errors[0].count, 2);
  EXPECT_EQ(s.type_errors[0].example_rows, (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(s.type_errors[0].example_values[1], "abc");
}

TEST(JsonlReaderTest, ReadsObjectsWithKeysInFirstSeenOrder) {
  testing::TempDir dir;
  ScanSummary s;
  ASSERT_OK_AND_ASSIGN(Table t, ReadText(dir,
                                         "{\"a\": 1, \"b\": \"x\"}\n\n"
                                         "{\"b\": null, \"a\": 2.5, \"c\": true}\n"
                                         "{\"a\": 3, \"b\": \"2024-01-01\", \"c\": false}\n",
                                         {}, &s, "t.jsonl"));
  EXPECT_EQ(s.format, FileFormat::kJsonl);
  ASSERT_EQ(t.num_columns(), 3);
  EXPECT_EQ(t.column(0).type(), ColumnType::kFloat64);
  EXPECT_EQ(t.column(1).type(), ColumnType::kString);
  EXPECT_EQ(t.column(2).type(), ColumnType::kBool);
  EXPECT_FALSE(t.column(2).IsValid(0));
  EXPECT_FALSE(t.column(1).IsValid(1));
  EXPECT_EQ(t.column(0).doubles()[1], 2.5);
}

TEST(JsonlReaderTest, InvalidLineIsAnErrorWithItsLine) {
  testing::TempDir dir;
  auto r = ReadText(dir, "{\"a\": 1}\n{\"a\": }\n", {}, nullptr, "t.jsonl");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().where().line, 2);
  EXPECT_NE(r.status().message().find("invalid JSON"), std::string::npos);
}

struct RealDataset {
  const char* file;
  int64_t rows;
  int columns;
  const char* last_column;
  ColumnType last_type;
};

TEST(CsvReaderTest, ReadsTheRealDatasets) {
  for (const RealDataset& d : {RealDataset{"breast_cancer.csv", 569, 31, "malignant", ColumnType::kInt64},
                               RealDataset{"iris.csv", 150, 5, "species", ColumnType::kString},
                               RealDataset{"wine.csv", 178, 14, "cultivar", ColumnType::kString},
                               RealDataset{"diabetes.csv", 442, 11, "progression", ColumnType::kFloat64}}) {
    ASSERT_OK_AND_ASSIGN(Table t, ReadTable(testing::DatasetPath(d.file)));
    EXPECT_EQ(t.num_rows(), d.rows) << d.file;
    ASSERT_EQ(t.num_columns(), d.columns) << d.file;
    EXPECT_EQ(t.column(d.columns - 1).name(), d.last_column) << d.file;
    for (int c = 0; c < t.num_columns(); ++c) EXPECT_EQ(t.column(c).null_count(), 0) << d.file;
  }
}

// Memory is reserved by a chunk's estimate of the file's rows: short first rows must not make
// it larger than the file could hold (a byte a column a row at least).
// Records the rows of each chunk and the first column's values.
class ChunkRecorder : public ChunkSink {
 public:
  Status Begin(const std::vector<ColumnInfo>&) override {
    sizes.clear();
    ids.clear();
    return Status::OK();
  }
  Status Consume(const Chunk& chunk) override {
    sizes.push_back(chunk.table.num_rows());
    for (int64_t r = 0; r < chunk.table.num_rows(); ++r) ids.push_back(static_cast<int64_t>(chunk.table.column(0).NumberAt(r)));
    return Status::OK();
  }
  std::vector<int64_t> sizes, ids;
};

// Reads `path` with and without the pipeline; checks that both see ids 0..rows-1 in order.
void ScanBothWays(const std::string& path, int64_t chunk_rows, int64_t rows, ChunkRecorder* pipelined) {
  ReadOptions o;
  o.chunk_rows = chunk_rows;
  ChunkRecorder direct;
  ASSERT_OK(ScanFile(path, o, *pipelined).status());
  o.pipeline = false;
  ASSERT_OK(ScanFile(path, o, direct).status());
  for (const auto& ids : {pipelined->ids, direct.ids}) {
    ASSERT_EQ(static_cast<int64_t>(ids.size()), rows);
    for (int64_t i = 0; i < rows; ++i) ASSERT_EQ(ids[static_cast<size_t>(i)], i);
  }
}

// Read ahead on another thread, the first batches are an eighth, a quarter and a half of the
// others, so that the threads after the reader start sooner.
TEST(CsvReaderTest, PipelinedBatchesStartSmall) {
  testing::TempDir dir;
  std::string text = "id,text\n";
  for (int i = 0; i < 1000; ++i) text += std::to_string(i) + ",abc\n";
  ChunkRecorder pipelined;
  ScanBothWays(dir.Write("small.csv", text), 64, 1000, &pipelined);
  ASSERT_GE(pipelined.sizes.size(), 5u);
  EXPECT_EQ(pipelined.sizes[0], 8);
  EXPECT_EQ(pipelined.sizes[1], 16);
  EXPECT_EQ(pipelined.sizes[2], 32);
  EXPECT_EQ(pipelined.sizes[3], 64);
  EXPECT_EQ(pipelined.sizes[4], 64);
}

// Buffers are sized by the rows so far: rows that grow fortyfold outgrow them, and batches
// then end early, with no row lost or repeated.
TEST(CsvReaderTest, RowsOutgrowingTheirBuffersEndBatchesEarly) {
  testing::TempDir dir;
  std::string text = "id,text\n";
  const int short_rows = 40000, rows = 44000;  // the short ones fill more than the first read
  for (int i = 0; i < rows; ++i) text += std::to_string(i) + "," + std::string(i < short_rows ? 1 : 300, 'x') + "\n";
  ChunkRecorder pipelined;
  ScanBothWays(dir.Write("grow.csv", text), 4096, rows, &pipelined);
  int64_t seen = 0;
  bool ended_early = false;
  for (size_t i = 0; i + 1 < pipelined.sizes.size(); ++i) {
    if (i >= 3 && seen >= short_rows - 4096 && pipelined.sizes[i] < 4096) ended_early = true;
    seen += pipelined.sizes[i];
  }
  EXPECT_TRUE(ended_early);
}

// Random files of every shape the reader meets: plain rows (tokenized in bulk), quoted fields
// with delimiters, doubled quotes and line breaks, LF and CRLF line ends, blank lines, empty
// fields, long and short rows, one column or several, each of the four delimiters. Each must read back as written, and a
// ragged row put at a random place must be reported at its physical line.
TEST(CsvReaderTest, RandomFilesReadAsWritten) {
  std::mt19937_64 rng(7);
  testing::TempDir dir;
  for (int file = 0; file < 40; ++file) {
    const int columns = 1 + static_cast<int>(rng() % 5);
    const int rows = 200 + static_cast<int>(rng() % 2000);
    const int quoted_in = 1 + static_cast<int>(rng() % 60), crlf_in = 1 + static_cast<int>(rng() % 40);
    const int blank_in = 5 + static_cast<int>(rng() % 200), empty_in = 2 + static_cast<int>(rng() % 30);
    const char delimiter = ",;\t|"[rng() % 4];
    std::vector<std::vector<std::string>> expected;
    std::vector<int64_t> lines;  // the physical line each row starts on
    std::string text;
    int64_t line = 1;
    auto end_line = [&] { text += rng() % crlf_in == 0 ? "\r\n" : "\n"; ++line; };
    for (int c = 0; c < columns; ++c) text += (c ? std::string(1, delimiter) : "") + "c" + std::to_string(c);
    end_line();
    for (int r = 0; r < rows; ++r) {
      while (rng() % blank_in == 0) end_line();
      lines.push_back(line);
      std::vector<std::string>& row = expected.emplace_back();
      for (int c = 0; c < columns; ++c) {
        std::string v = "v" + std::to_string(rng() % 100000) + std::string(rng() % 8 == 0 ? 40 : 0, 'x');
        if (rng() % empty_in == 0 && columns > 1) v.clear();
        if (c > 0) text += delimiter;
        if (rng() % quoted_in == 0) {
          v += rng() % 2 ? std::string(1, delimiter) + " with \"quotes\"" : "\ntwo lines";
          std::string q = "\"";
          for (char ch : v) q += ch == '"' ? std::string("\"\"") : std::string(1, ch);
          text += q + "\"";
          line += std::count(v.begin(), v.end(), '\n');
        } else {
          text += v;
        }
        row.push_back(v);
      }
      end_line();
    }
    const std::string where = "file " + std::to_string(file);
    const std::string path = dir.Write("r" + std::to_string(file) + ".csv", text);
    for (int64_t chunk_rows : {int64_t{1} << 14, int64_t{37}}) {
      ReadOptions o;
      o.chunk_rows = chunk_rows;
      o.delimiter = delimiter;
      ASSERT_OK_AND_ASSIGN(Table t, ReadTable(path, o));
      ASSERT_EQ(t.num_rows(), rows) << where;
      ASSERT_EQ(t.num_columns(), columns) << where;
      for (int c = 0; c < columns; ++c) {
        for (int r = 0; r < rows; ++r) {
          const std::string& v = expected[static_cast<size_t>(r)][static_cast<size_t>(c)];
          ASSERT_EQ(t.column(c).IsValid(r), !v.empty()) << where << " row " << r << " column " << c;
          if (!v.empty()) {
            ASSERT_EQ(t.column(c).ValueToString(r), v) << where << " row " << r << " column " << c;
          }
        }
      }
    }
    if (columns > 1) {  // a row with a field too many, somewhere
      const int bad = static_cast<int>(rng() % static_cast<uint64_t>(rows));
      size_t at = 0;
      for (int64_t l = 1; l < lines[static_cast<size_t>(bad)]; ++l) at = text.find('\n', at) + 1;
      const std::string ragged = text.substr(0, at) + "extra" + delimiter + text.substr(at);
      ReadOptions o;
      o.delimiter = delimiter;
      auto r = ReadTable(dir.Write("bad" + std::to_string(file) + ".csv", ragged), o);
      ASSERT_FALSE(r.ok()) << where;
      EXPECT_EQ(r.status().where().line, lines[static_cast<size_t>(bad)]) << where << ": " << r.status().ToString();
    }
  }
}

TEST(CsvReaderTest, EstimatedRowsNeverExceedWhatTheFileCanHold) {
  Chunk chunk;
  chunk.table.AddColumn(Column("a", ColumnType::kInt64));
  chunk.table.AddColumn(Column("b", ColumnType::kInt64));
  for (int i = 0; i < 10; ++i) {
    chunk.table.column(0).AppendInt(i);
    chunk.table.column(1).AppendInt(i);
  }
  chunk.file_bytes = 100000;
  chunk.bytes_read = 40;  // 4 bytes a row so far
  EXPECT_EQ(chunk.EstimatedFileRows(), 25500u);  // 2,500 rows a 100 bytes read, plus 2%
  chunk.bytes_read = 10;  // 1 byte a row so far: 102,000 by the rows, but 2 columns take 2 bytes
  EXPECT_EQ(chunk.EstimatedFileRows(), 50000u);
  chunk.file_bytes = 0;
  EXPECT_EQ(chunk.EstimatedFileRows(), 0u);
}

}  // namespace
}  // namespace gyre
