#include "http/talon.hpp"

#include <cairo-pdf.h>
#include <cairo.h>
#include <fmt/format.h>
#include <qrencode.h>

#include <array>
#include <memory>
#include <vector>

namespace emkhana::http {

namespace {

// One text in the three languages.
struct Text {
  const char* kk;
  const char* ru;
  const char* en;
  const char* In(Lang lang) const { return lang == Lang::kKk ? kk : lang == Lang::kEn ? en : ru; }
};

constexpr Text kTitle{"МСАК ұйымына бекіту туралы талон", "Талон прикрепления к организации ПМСП",
                      "Talon of attachment to a primary health care organisation"};
constexpr Text kNumber{"Талон нөмірі", "Номер талона", "Talon number"};
constexpr Text kName{"Аты-жөні", "ФИО", "Name"};
constexpr Text kIin{"ЖСН", "ИИН", "IIN"};
constexpr Text kBirth{"Туған күні", "Дата рождения", "Date of birth"};
constexpr Text kOrg{"Ұйым", "Организация", "Organisation"};
constexpr Text kAte{"Әкімшілік-аумақтық бірлік", "Административно-территориальная единица",
                    "Administrative unit"};
constexpr Text kDistrict{"Учаске", "Участок", "District"};
constexpr Text kDoctor{"Дәрігер", "Врач", "Doctor"};
constexpr Text kFrom{"Бекітілген күні", "Прикреплён с", "Attached from"};
constexpr Text kDecided{"Шешім күні", "Дата решения", "Decided on"};
constexpr Text kChannel{"Арна", "Канал", "Channel"};
constexpr Text kPolicy{"Ереже нұсқасы", "Версия правил", "Rules version"};
constexpr Text kFooter{
    "Емхана: синтетикалық деректер, демонстрация үшін. QR коды талон нөмірін береді.",
    "Емхана: синтетические данные для демонстрации. QR-код содержит номер талона.",
    "Emkhana: synthetic data for demonstration. The QR code holds the talon number."};

const char* KindText(const std::string& kind, Lang lang) {
  static constexpr Text kGp{"жалпы практика дәрігері", "врач общей практики",
                            "general practitioner"};
  static constexpr Text kTherapist{"учаскелік терапевт", "участковый терапевт",
                                   "district therapist"};
  static constexpr Text kPediatrician{"учаскелік педиатр", "участковый педиатр",
                                      "district pediatrician"};
  if (kind == "gp") return kGp.In(lang);
  if (kind == "therapist") return kTherapist.In(lang);
  if (kind == "pediatrician") return kPediatrician.In(lang);
  return "";
}

const char* ChannelText(const std::string& channel, Lang lang) {
  static constexpr Text kEgov{"eGov порталы", "портал eGov", "eGov portal"};
  static constexpr Text kMobile{"eGov Mobile", "eGov Mobile", "eGov Mobile"};
  static constexpr Text kCon{"ХҚКО", "ЦОН", "public service centre"};
  static constexpr Text kPaper{"ұйымға қағаз өтініш", "заявление на бумаге в организацию",
                               "paper application at the clinic"};
  if (channel == "egov") return kEgov.In(lang);
  if (channel == "mobile") return kMobile.In(lang);
  if (channel == "service_centre") return kCon.In(lang);
  if (channel == "clinic_paper") return kPaper.In(lang);
  return "";
}

// The talon's rows: label and value, in the order printed.
std::vector<std::pair<std::string, std::string>> Rows(const TalonFacts& f, Lang lang) {
  return {
      {kNumber.In(lang), f.number},
      {kName.In(lang), f.name},
      {kIin.In(lang), f.iin},
      {kBirth.In(lang), f.birth},
      {kOrg.In(lang), f.org_name.empty() ? f.org : f.org_name + " (" + f.org + ")"},
      {kAte.In(lang), f.org_ate},
      {kDistrict.In(lang), f.district},
      {kDoctor.In(lang), KindText(f.district_kind, lang)},
      {kFrom.In(lang), f.effective},
      {kDecided.In(lang), f.decided},
      {kChannel.In(lang), ChannelText(f.channel, lang)},
      {kPolicy.In(lang), f.policy_version},
  };
}

std::string Escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '&':
        out += "&amp;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

// The QR code's modules (true = dark), row by row, or empty when it cannot be made.
struct QrModules {
  int width = 0;
  std::vector<bool> dark;
};
QrModules MakeQr(const std::string& text) {
  QrModules out;
  QRcode* code = QRcode_encodeString8bit(text.c_str(), 0, QR_ECLEVEL_M);
  if (!code) return out;
  out.width = code->width;
  out.dark.resize(static_cast<std::size_t>(code->width) * code->width);
  for (std::size_t i = 0; i < out.dark.size(); ++i) out.dark[i] = (code->data[i] & 1) != 0;
  QRcode_free(code);
  return out;
}

std::string QrSvg(const QrModules& qr) {
  if (qr.width == 0) return {};
  const int size = qr.width + 8;  // a quiet zone of four modules
  std::string path;
  for (int y = 0; y < qr.width; ++y) {
    for (int x = 0; x < qr.width; ++x) {
      if (qr.dark[static_cast<std::size_t>(y) * qr.width + x]) {
        path += fmt::format("M{} {}h1v1h-1z", x + 4, y + 4);
      }
    }
  }
  return fmt::format(
      R"(<svg class="qr" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {0} {0}" width="160" )"
      R"(height="160" role="img" aria-label="QR"><rect width="{0}" height="{0}" fill="#fff"/>)"
      R"(<path d="{1}" fill="#000"/></svg>)",
      size, path);
}

}  // namespace

std::string TalonHtml(const TalonFacts& f, Lang lang) {
  const char* code = lang == Lang::kKk ? "kk" : lang == Lang::kEn ? "en" : "ru";
  std::string rows;
  for (const auto& [label, value] : Rows(f, lang)) {
    rows += fmt::format("<tr><th scope=\"row\">{}</th><td>{}</td></tr>\n", Escape(label),
                        Escape(value));
  }
  return fmt::format(R"(<!doctype html>
<html lang="{0}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{1} {2}</title>
<style>
body {{ font-family: "DejaVu Sans", Arial, sans-serif; margin: 2rem auto; max-width: 44rem;
       padding: 0 1rem; color: #111; }}
h1 {{ font-size: 1.3rem; border-bottom: 2px solid #0b5394; padding-bottom: .4rem; }}
table {{ border-collapse: collapse; width: 100%; }}
th, td {{ text-align: left; padding: .35rem .5rem; border-bottom: 1px solid #ddd;
          vertical-align: top; }}
th {{ width: 40%; font-weight: 600; color: #333; }}
.qr {{ float: right; margin: 0 0 1rem 1rem; }}
footer {{ margin-top: 1.5rem; font-size: .8rem; color: #555; }}
@media print {{ body {{ margin: 0; }} }}
</style>
</head>
<body>
<main>
<h1>{1}</h1>
{3}
<table>
{4}</table>
<footer>{5}</footer>
</main>
</body>
</html>
)",
                     code, Escape(kTitle.In(lang)), Escape(f.number), QrSvg(MakeQr(f.number)), rows,
                     Escape(kFooter.In(lang)));
}

Result<std::string> TalonPdf(const TalonFacts& f, Lang lang) {
  std::string out;
  auto write = [](void* closure, const unsigned char* data, unsigned int length) {
    static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
    return CAIRO_STATUS_SUCCESS;
  };
  constexpr double kWidth = 595.0, kHeight = 842.0;  // A4 in points
  std::unique_ptr<cairo_surface_t, decltype(&cairo_surface_destroy)> surface(
      cairo_pdf_surface_create_for_stream(write, &out, kWidth, kHeight), cairo_surface_destroy);
  std::unique_ptr<cairo_t, decltype(&cairo_destroy)> cr(cairo_create(surface.get()), cairo_destroy);
  cairo_t* c = cr.get();
  cairo_pdf_surface_set_metadata(surface.get(), CAIRO_PDF_METADATA_TITLE, kTitle.In(lang));
  cairo_pdf_surface_set_metadata(surface.get(), CAIRO_PDF_METADATA_CREATOR, "Emkhana");

  const double margin = 56;
  cairo_set_source_rgb(c, 0.04, 0.33, 0.58);
  cairo_select_font_face(c, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_BOLD);
  cairo_set_font_size(c, 15);
  cairo_move_to(c, margin, margin + 12);
  cairo_show_text(c, kTitle.In(lang));
  cairo_set_line_width(c, 1.5);
  cairo_move_to(c, margin, margin + 22);
  cairo_line_to(c, kWidth - margin, margin + 22);
  cairo_stroke(c);

  // The QR code at the top right.
  const auto qr = MakeQr(f.number);
  const double qr_size = 120;
  if (qr.width > 0) {
    const double module = qr_size / qr.width;
    const double x0 = kWidth - margin - qr_size, y0 = margin + 36;
    cairo_set_source_rgb(c, 0, 0, 0);
    for (int y = 0; y < qr.width; ++y) {
      for (int x = 0; x < qr.width; ++x) {
        if (qr.dark[static_cast<std::size_t>(y) * qr.width + x]) {
          cairo_rectangle(c, x0 + x * module, y0 + y * module, module, module);
        }
      }
    }
    cairo_fill(c);
  }

  double y = margin + 56;
  for (const auto& [label, value] : Rows(f, lang)) {
    cairo_set_source_rgb(c, 0.2, 0.2, 0.2);
    cairo_select_font_face(c, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_BOLD);
    cairo_set_font_size(c, 9.5);
    cairo_move_to(c, margin, y);
    cairo_show_text(c, label.c_str());
    cairo_set_source_rgb(c, 0, 0, 0);
    cairo_select_font_face(c, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(c, 11);
    cairo_move_to(c, margin, y + 14);
    cairo_show_text(c, value.c_str());
    y += 34;
  }
  cairo_set_source_rgb(c, 0.35, 0.35, 0.35);
  cairo_set_font_size(c, 8);
  cairo_move_to(c, margin, kHeight - margin);
  cairo_show_text(c, kFooter.In(lang));

  cairo_show_page(c);
  cr.reset();
  cairo_surface_finish(surface.get());
  const auto status = cairo_surface_status(surface.get());
  if (status != CAIRO_STATUS_SUCCESS) {
    return Error::Internal(std::string("PDF: ") + cairo_status_to_string(status));
  }
  return out;
}

}  // namespace emkhana::http
