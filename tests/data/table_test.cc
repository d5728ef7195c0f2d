// Finding a table's columns by name: in order for a few dozen columns, through an index for
// wider tables; the first of a repeated name either way.
#include <gtest/gtest.h>

#include <random>
#include <string>

#include "data/table.h"

namespace gyre {
namespace {

Table Named(int columns) {
  Table t;
  for (int c = 0; c < columns; ++c) t.AddColumn(Column("column_number_" + std::to_string(c), ColumnType::kInt64));
  return t;
}

TEST(TableTest, FindsColumnsByNameNarrowAndWide) {
  for (int width : {1, 23, 63, 64, 65, 300}) {
    Table t = Named(width);
    for (int c = 0; c < width; ++c) {
      const std::string name = "column_number_" + std::to_string(c);
      ASSERT_EQ(t.IndexOf(name), c) << width;
      ASSERT_NE(t.Find(name), nullptr);
      EXPECT_EQ(t.Find(name)->name(), name);
    }
    EXPECT_EQ(t.IndexOf("column_number_" + std::to_string(width)), -1) << width;
    EXPECT_EQ(t.Find("nope"), nullptr);
    t.AddColumn(Column("column_number_0", ColumnType::kFloat64));  // a repeated name
    EXPECT_EQ(t.IndexOf("column_number_0"), 0) << width;
    EXPECT_EQ(t.IndexOf("column_number_" + std::to_string(width - 1)), width - 1) << width;
  }
  Table t = Named(100);
  std::vector<Column> back = t.ReleaseColumns();
  EXPECT_EQ(back.size(), 100u);
  EXPECT_EQ(t.IndexOf("column_number_5"), -1) << "an emptied table finds nothing";
  t.AddColumn(std::move(back[5]));
  EXPECT_EQ(t.IndexOf("column_number_5"), 0);
}

// A recycled column is empty and of its type; a string column keeps its dictionary (the same
// text gets the same code) unless another column shares it or it has grown large.
TEST(TableTest, RecycledColumnsAreEmptyAndKeepSmallDictionaries) {
  Column c("merchant", ColumnType::kString);
  c.AppendString("food");
  c.AppendNull();
  c.AppendString("fuel");
  c.Recycle();
  EXPECT_EQ(c.size(), 0);
  EXPECT_EQ(c.null_count(), 0);
  c.AppendString("fuel");
  EXPECT_EQ(c.codes()[0], 1) << "the kept dictionary's code";
  EXPECT_EQ(c.StringAt(0), "fuel");

  Column shared = c;  // copies share the dictionary: recycling one must not touch the other's
  c.Recycle();
  c.AppendString("bar");
  EXPECT_EQ(c.codes()[0], 0) << "a new dictionary";
  EXPECT_EQ(shared.StringAt(0), "fuel");
  EXPECT_EQ(shared.dictionary().size(), 2u);

  Column wide("id", ColumnType::kString);
  for (int i = 0; i < 2000; ++i) wide.AppendString("value " + std::to_string(i));
  wide.Recycle();
  EXPECT_EQ(wide.dictionary().size(), 0u) << "a large dictionary is let go";

  Table t({Column("a", ColumnType::kInt64), Column("b", ColumnType::kFloat64)});
  EXPECT_EQ(t.num_columns(), 2);
  EXPECT_EQ(t.IndexOf("b"), 1);
  // A hint is only where to look first: a wrong or impossible one still finds the column.
  EXPECT_EQ(t.Find("b", 1), &t.column(1));
  EXPECT_EQ(t.Find("b", 0), &t.column(1));
  EXPECT_EQ(t.Find("a", 7), &t.column(0));
  EXPECT_EQ(t.Find("a", -1), &t.column(0));
  EXPECT_EQ(t.Find("c", 1), nullptr);
}

// Runs of values appended at once set the same validity bits as values appended one by one,
// across the bitmap's word boundaries and between nulls.
TEST(TableTest, RunsOfValuesMatchValuesAppendedOneByOne) {
  Column runs("x", ColumnType::kFloat64), single("x", ColumnType::kFloat64);
  std::vector<double> values;
  for (int len : {3, 61, 0, 64, 1, 130, 7}) {
    values.assign(static_cast<size_t>(len), 0);
    for (int i = 0; i < len; ++i) values[static_cast<size_t>(i)] = runs.size() + i + 0.5;
    runs.AppendDoubles(values);
    for (double v : values) single.AppendDouble(v);
    runs.AppendNull();
    single.AppendNull();
  }
  ASSERT_EQ(runs.size(), single.size());
  EXPECT_EQ(runs.null_count(), 7);
  for (int64_t i = 0; i < runs.size(); ++i) {
    ASSERT_EQ(runs.IsValid(i), single.IsValid(i)) << i;
    ASSERT_EQ(runs.doubles()[static_cast<size_t>(i)], single.doubles()[static_cast<size_t>(i)]) << i;
  }
  Column ints("n", ColumnType::kInt64);
  ints.AppendInts(std::vector<int64_t>{1, 2, 3});
  ints.AppendNull();
  ints.AppendInts(std::vector<int64_t>{4});
  EXPECT_EQ(ints.ints(), (std::vector<int64_t>{1, 2, 3, 0, 4}));
  EXPECT_FALSE(ints.IsValid(3));
  EXPECT_TRUE(ints.IsValid(4));
}

// A whole column appended at once equals its rows appended one by one: strings from another
// dictionary keep their text, nulls stay null, bits land right past a word boundary.
TEST(TableTest, AppendingAWholeColumnMatchesAppendingItsRows) {
  for (ColumnType type : {ColumnType::kString, ColumnType::kFloat64, ColumnType::kInt64, ColumnType::kBool}) {
    Column all("c", type), rows("c", type);
    for (int part = 0; part < 3; ++part) {
      Column src("c", type);
      for (int i = 0; i < 50 + part * 37; ++i) {
        if ((i + part) % 7 == 0 && part != 1) {
          src.AppendNull();
          continue;
        }
        switch (type) {
          case ColumnType::kString: src.AppendString(std::string(1 + (i * (part + 1)) % 5, static_cast<char>('a' + i % 3))); break;
          case ColumnType::kFloat64: src.AppendDouble(i * 0.5 - part); break;
          case ColumnType::kBool: src.AppendBool(i % 3 == 0); break;
          default: src.AppendInt(i * 10 + part); break;
        }
      }
      all.AppendAll(src);
      for (int64_t i = 0; i < src.size(); ++i) rows.AppendFrom(src, i);
    }
    ASSERT_EQ(all.size(), rows.size());
    EXPECT_EQ(all.null_count(), rows.null_count());
    for (int64_t i = 0; i < all.size(); ++i) {
      ASSERT_EQ(all.IsValid(i), rows.IsValid(i)) << i;
      ASSERT_EQ(all.ValueToString(i), rows.ValueToString(i)) << i;
    }
  }
}

// Interning from a padded field (one 16-byte load) and from a plain view give the same codes:
// values of every length around 8 and 16, values that differ only past their end in the
// padding or by a trailing NUL, interleaved both ways and through the table's growth.
TEST(TableTest, PaddedAndPlainInterningGiveTheSameCodes) {
  std::mt19937_64 rng(3);
  Dictionary padded_first, plain_first;
  std::vector<std::string> seen;
  for (int i = 0; i < 20000; ++i) {
    std::string v;
    if (!seen.empty() && rng() % 2 == 0) {
      v = seen[rng() % seen.size()];
    } else {
      const size_t size = rng() % 21;
      for (size_t k = 0; k < size; ++k) v.push_back(static_cast<char>("ab\0c"[rng() % 4]));
      seen.push_back(v);
    }
    std::string field = v + std::string(16, static_cast<char>(rng()));  // what follows in the text
    const std::string_view view(field.data(), v.size());
    const int32_t a = i % 3 == 0 ? padded_first.Intern(v) : padded_first.InternPadded(view);
    const int32_t b = i % 3 == 1 ? plain_first.InternPadded(view) : plain_first.Intern(v);
    ASSERT_EQ(a, b);  // the same values in the same order
    ASSERT_EQ(padded_first.Get(a), v);
    ASSERT_EQ(plain_first.Get(b), v);
    ASSERT_EQ(padded_first.Find(v), a);
    ASSERT_EQ(plain_first.Find(v), b);
  }
  EXPECT_EQ(padded_first.size(), plain_first.size());
  // Values that share their first 16 bytes and differ after them stay distinct, whichever way
  // they are interned (only the first 16 bytes fit one masked load).
  Dictionary shared_prefix;
  std::vector<std::string> values;
  for (size_t size = 15; size <= 20; ++size)
    for (char last : {'x', 'y'}) values.push_back(std::string("abcdefghijklmnop").substr(0, size - 1) + std::string(size > 17 ? size - 17 : 0, 'q') + last);
  for (const std::string& v : values) {
    const std::string field = v + std::string(16, 'z');
    const int32_t code = shared_prefix.InternPadded(std::string_view(field.data(), v.size()));
    EXPECT_EQ(shared_prefix.Get(code), v);
  }
  EXPECT_EQ(shared_prefix.size(), values.size());
}

}  // namespace
}  // namespace gyre
