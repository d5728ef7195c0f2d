// The schema of a dataset: inferred from its first version, saved as YAML a person may edit,
// and used to validate every later version.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "data/stats.h"
#include "data/table.h"

namespace gyre {

struct ColumnSchema {
  std::string name;
  ColumnType type = ColumnType::kString;
  bool required = true;               // no value may be missing
  double max_missing_fraction = 0;    // largest allowed share of missing values
  std::optional<double> min, max;     // allowed numeric range (inclusive)
  std::vector<std::string> domain;    // allowed categories, sorted; empty: any value
};

struct Schema {
  std::string dataset;
  std::string label;  // the target column, if any
  std::vector<ColumnSchema> columns;

  const ColumnSchema* Find(const std::string& name) const;
};

struct InferOptions {
  // String columns with at most this many distinct values get a categorical domain (TFDV's
  // max_string_domain_size), provided the values repeat (distinct <= half the count).
  int64_t max_domain_size = 100;
};

// Infers a schema from a dataset's statistics: types as read; required when nothing is
// missing, else a missing-fraction limit of twice what was seen (rounded up to 2 significant
// digits, at most 1); a loose numeric range (0 as the floor of non-negative columns, [0, 1]
// for shares, else the observed span doubled outward; none for identifiers); a domain for
// low-cardinality strings.
Schema InferSchema(const DatasetStats& stats, const std::string& dataset,
                   const std::string& label, const InferOptions& options = {});

std::string SchemaToYaml(const Schema& schema, const std::string& header_comment = "");
// Parses and checks a schema; errors name the line and column in `source_name`.
Result<Schema> SchemaFromYaml(const std::string& text, const std::string& source_name);

}  // namespace gyre
