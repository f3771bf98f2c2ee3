#include "http/static_files.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace emkhana::http {
namespace {

TEST(StaticFiles, ServesFilesAndPagesOfTheApplicationOnly) {
  const auto root =
      std::filesystem::temp_directory_path() / ("emkhana-web-" + std::to_string(::getpid()));
  std::filesystem::create_directories(root / "assets");
  std::ofstream(root / "index.html") << "<!doctype html>";
  std::ofstream(root / "assets" / "app-1.js") << "1";
  auto files = StaticFiles::Load(root.string());
  ASSERT_TRUE(files) << files.error().message;
  EXPECT_EQ(files->Find("/")->body, "<!doctype html>");
  EXPECT_TRUE(files->Find("/assets/app-1.js")->immutable);
  EXPECT_EQ(files->Find("/assets/app-1.js")->content_type, "text/javascript; charset=utf-8");
  EXPECT_FALSE(files->Find("/index.html")->immutable);
  for (const char* page : {"/citizen", "/registrar/panel", "/analytics-2"}) {
    EXPECT_EQ(files->Find(page), files->Find("/")) << page;
  }
  for (const char* not_page : {"/api/v1/x", "/api", "/healthz/", "/assets/x", "/x.js", "//x",
                               "/Citizen", "/a/", "/~root", "/metrics/x"}) {
    EXPECT_EQ(files->Find(not_page), nullptr) << not_page;
  }
  std::filesystem::remove(root / "index.html");
  EXPECT_FALSE(StaticFiles::Load(root.string()));
  EXPECT_FALSE(StaticFiles::Load((root / "nothing").string()));
}

}  // namespace
}  // namespace emkhana::http
