// fractalmidi-studio — the desktop studio: fractalmidi-studio [song.mid] [--checkpoint model.safetensors]
//
// The window is shown first; the MIDI file and the model are loaded right after (the model on the worker thread).
// --help and --version answer without a display. --smoke-test (for package checks, with QT_QPA_PLATFORM=offscreen)
// opens the window, waits for the model and exits 0 when it loaded, 1 with the reason otherwise.
#include <QApplication>
#include <QCommandLineParser>
#include <QStandardPaths>
#include <QTimer>

#include <cstdio>
#include <cstring>
#include <memory>
#include <string>

#include "core/log.h"
#include "core/resources.h"
#include "model/threads.h"
#include "ui/main_window.h"
#include "ui/studio_metatypes.h"

namespace {

constexpr int kSmokeTestTimeoutMs = 180'000;

// True when the command line asks only for text (help, version): then no GUI application, hence no display, is needed.
bool textOnly(int argc, char** argv) {
    for (int i = 1; i < argc; ++i)
        for (const char* flag : {"-h", "-?", "--help", "--help-all", "-v", "--version"})
            if (std::strcmp(argv[i], flag) == 0) return true;
    return false;
}

// --smoke-test: one line on stdout and exit 0 once the model is ready with the window shown; one line on stderr and
// exit 1 when it fails, when there is no model to load, or after kSmokeTestTimeoutMs.
void armSmokeTest(fm::ui::MainWindow& window, const QString& checkpoint) {
    window.setInteractive(false);   // errors go to the status bar and here, not to message boxes nobody can close
    const auto fail = [](const QString& why) {
        std::fprintf(stderr, "smoke test failed: %s\n", qPrintable(why));
        QCoreApplication::exit(1);
    };
    if (checkpoint.isEmpty() && fm::ui::defaultModelPath().isEmpty()) {
        QStringList dirs;
        for (const std::string& d : fm::resource_dirs()) dirs << QString::fromStdString(d);
        QTimer::singleShot(0, &window, [fail, dirs] {
            fail(QStringLiteral("no default model (%1) in: %2")
                     .arg(QLatin1String(fm::kDefaultModel128), dirs.isEmpty() ? QStringLiteral("no resource folder") : dirs.join(QStringLiteral(", "))));
        });
        return;
    }
    QObject::connect(&window, &fm::ui::MainWindow::modelReady, &window, [&window, fail](const fm::ui::ModelInfo& info) {
        if (!window.isVisible()) return fail(QStringLiteral("the model loaded but the window is not shown"));
        std::printf("smoke test passed: window shown, model %s (%s, %lld parameters) ready on %s\n", qPrintable(info.source),
                    qPrintable(info.preset), static_cast<long long>(info.parameters), qPrintable(info.device));
        std::fflush(stdout);
        QCoreApplication::exit(0);
    });
    QObject::connect(&window, &fm::ui::MainWindow::modelFailed, &window,
                     [fail](const QString& error) { fail(QStringLiteral("the model did not load: ") + error); });
    QTimer::singleShot(kSmokeTestTimeoutMs, &window, [fail] {
        fail(QStringLiteral("no model after %1 s").arg(kSmokeTestTimeoutMs / 1000));
    });
}

}  // namespace

int main(int argc, char** argv) {
    const std::unique_ptr<QCoreApplication> app =
        textOnly(argc, argv) ? std::make_unique<QCoreApplication>(argc, argv) : std::make_unique<QApplication>(argc, argv);
    QCoreApplication::setOrganizationName(QStringLiteral("FractalMIDI"));
    QCoreApplication::setApplicationName(QStringLiteral("FractalMIDI Studio"));
    QCoreApplication::setApplicationVersion(QStringLiteral(FM_VERSION));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Generate piano music with a fractal model and watch every level fill the roll."));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption checkpoint(QStringList{QStringLiteral("checkpoint")},
                                        QStringLiteral("Model checkpoint (.safetensors) to load."), QStringLiteral("FILE"));
    parser.addOption(checkpoint);
    const QCommandLineOption smokeTest(QStringList{QStringLiteral("smoke-test")},
                                       QStringLiteral("Open the window, load the model (the default one unless --checkpoint), "
                                                      "print one line and exit: 0 when it loaded, 1 otherwise. Settings go "
                                                      "to Qt's test location. For package checks: QT_QPA_PLATFORM=offscreen."));
    parser.addOption(smokeTest);
    parser.addPositionalArgument(QStringLiteral("midi"), QStringLiteral("A .mid file to open."), QStringLiteral("[song.mid]"));
    parser.process(*app);   // --help, --version and bad options exit here
    if (!qobject_cast<QApplication*>(app.get())) {   // a help or version flag taken as an option's value
        std::fprintf(stderr, "error: -h, -v, --help and --version cannot be values of other options\n");
        return 1;
    }

    QGuiApplication::setDesktopFileName(QStringLiteral("fractalmidi-studio"));   // packaging/fractalmidi-studio.desktop
    const bool smoke = parser.isSet(smokeTest);
    if (smoke) QStandardPaths::setTestModeEnabled(true);   // leave the user's settings alone
    fm::set_log_sink([](fm::LogLevel, const std::string& m) { std::fprintf(stderr, "%s\n", m.c_str()); });
    fm::ui::registerStudioMetaTypes();
    fm::use_threads(0);   // generation uses every core (or OMP_NUM_THREADS); a training run sets its own count

    fm::ui::MainWindow window;
    window.show();
    const QStringList args = parser.positionalArguments();
    const QString midi = args.isEmpty() ? QString() : args.first();
    const QString model = parser.value(checkpoint);
    if (smoke) armSmokeTest(window, model);
    QTimer::singleShot(0, &window, [&window, midi, model] { window.startUp(midi, model); });
    return app->exec();
}
