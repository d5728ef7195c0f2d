#include "data/dataset.h"

#include <gtest/gtest.h>

#include "tests/test_util.h"

namespace gyre {
namespace {

class DatasetTest : public ::testing::Test {
 protected:
  void SetUp() override {
    HomeLayout layout(dir_.File("home"));
    auto objects = ObjectStore::Open(layout, Env::Default());
    ASSERT_TRUE(objects.ok());
    objects_ = std::move(objects).value();
    auto meta = MetadataStore::Open(layout, Env::Default());
    ASSERT_TRUE(meta.ok());
    meta_ = std::move(meta).value();
    catalog_ = std::make_unique<DatasetCatalog>(meta_.get(), objects_.get(), Env::Default());
  }
  size_t ObjectCount() {
    auto all = objects_->List();
    return all.ok() ? all->size() : 0;
  }

  testing::TempDir dir_;
  std::unique_ptr<ObjectStore> objects_;
  std::unique_ptr<MetadataStore> meta_;
  std::unique_ptr<DatasetCatalog> catalog_;
};

const char kFirst[] = "amount,country,y\n1.5,US,0\n2.5,DE,1\n3,US,0\n4,US,0\n";

TEST_F(DatasetTest, FirstVersionInfersSchemaAndIdenticalContentMakesNoVersion) {
  ASSERT_OK_AND_ASSIGN(AddOutcome a, catalog_->Add(dir_.Write("a.csv", kFirst), {"tx", "y"}));
  EXPECT_TRUE(a.created);
  EXPECT_TRUE(a.schema_inferred);
  EXPECT_EQ(a.version.version, 1);
  EXPECT_EQ(a.version.rows, 4);
  EXPECT_EQ(a.version.columns, 3);
  EXPECT_EQ(a.version.format, "csv");
  EXPECT_OK(objects_->Verify(a.version.sha256));
  ASSERT_OK_AND_ASSIGN(Schema s, catalog_->GetSchema("tx"));
  EXPECT_EQ(s.label, "y");
  EXPECT_EQ(s.Find("country")->domain, (std::vector<std::string>{"DE", "US"}));

  ASSERT_OK_AND_ASSIGN(AddOutcome b, catalog_->Add(dir_.Write("copy.csv", kFirst), {"tx", ""}));
  EXPECT_FALSE(b.created);
  EXPECT_EQ(b.version.version, 1);
  ASSERT_OK_AND_ASSIGN(auto versions, meta_->ListDatasetVersions("tx"));
  EXPECT_EQ(versions.size(), 1u);
}

TEST_F(DatasetTest, LaterVersionsAreValidatedAndStrictRefusesAnomalies) {
  ASSERT_OK(catalog_->Add(dir_.Write("a.csv", kFirst), {"tx", "y"}).status());
  const std::string drifted = "amount,country,y\n9.5,FR,0\n2.5,DE,1\n";
  size_t objects_before = ObjectCount();
  auto refused = catalog_->Add(dir_.Write("b.csv", drifted), {"tx", "", true});
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(ObjectCount(), objects_before) << "a refused version stores nothing";
  ASSERT_OK_AND_ASSIGN(auto versions, meta_->ListDatasetVersions("tx"));
  EXPECT_EQ(versions.size(), 1u);

  ASSERT_OK_AND_ASSIGN(AddOutcome b, catalog_->Add(dir_.File("b.csv"), {"tx", ""}));
  EXPECT_TRUE(b.created);
  EXPECT_EQ(b.version.version, 2);
  ASSERT_EQ(b.report.anomalies.size(), 2u);  // amount out of range, FR unknown
  EXPECT_NE(b.version.anomalies_json.find("unknown_category"), std::string::npos);
  ASSERT_OK_AND_ASSIGN(DatasetVersionRecord v2, catalog_->Get({"tx", 2}));
  EXPECT_EQ(v2.sha256, b.version.sha256);
  ASSERT_OK_AND_ASSIGN(DatasetVersionRecord latest, catalog_->Get({"tx", 0}));
  EXPECT_EQ(latest.version, 2);
}

TEST_F(DatasetTest, MalformedInputStoresNothing) {
  size_t before = ObjectCount();
  auto r = catalog_->Add(dir_.Write("bad.csv", "a,b\n1,2\n3\n"), {"tx", ""});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().where().line, 3);
  EXPECT_EQ(ObjectCount(), before);
  ASSERT_OK_AND_ASSIGN(auto found, meta_->FindDataset("tx"));
  EXPECT_FALSE(found.has_value());
}

TEST_F(DatasetTest, UnknownLabelAndBadNamesAreErrors) {
  auto r = catalog_->Add(dir_.Write("a.csv", kFirst), {"tx", "nope"});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("--label nope: no such column"), std::string::npos);
  EXPECT_FALSE(catalog_->Add(dir_.File("a.csv"), {"bad name!", ""}).ok());
  EXPECT_FALSE(ParseDatasetRef("tx:0").ok());
  EXPECT_FALSE(ParseDatasetRef("tx:abc").ok());
  ASSERT_OK_AND_ASSIGN(DatasetRef ref, ParseDatasetRef("tx:12"));
  EXPECT_EQ(ref.name, "tx");
  EXPECT_EQ(ref.version, 12);
}

TEST_F(DatasetTest, EditedSchemaAppliesToLaterVersionsOnly) {
  ASSERT_OK_AND_ASSIGN(AddOutcome a, catalog_->Add(dir_.Write("a.csv", kFirst), {"tx", "y"}));
  std::string edited =
      "dataset: tx\nlabel: y\ncolumns:\n"
      "  - {name: amount, type: float64, required: true, min: 0, max: 1000}\n"
      "  - {name: country, type: string, required: true, domain: [DE, FR, US]}\n"
      "  - {name: y, type: int64, required: true}\n";
  ASSERT_OK(catalog_->SetSchema("tx", edited, "edited.yaml"));
  ASSERT_OK_AND_ASSIGN(AddOutcome b, catalog_->Add(dir_.Write("b.csv", "amount,country,y\n9.5,FR,0\n"), {"tx", ""}));
  EXPECT_TRUE(b.report.valid());
  ASSERT_OK_AND_ASSIGN(Schema old_schema, catalog_->GetSchemaOf(a.version));
  EXPECT_EQ(old_schema.Find("country")->domain.size(), 2u);
  EXPECT_FALSE(catalog_->SetSchema("tx", "columns: 3\n", "broken.yaml").ok());
}

}  // namespace
}  // namespace gyre
