// fractalmidi-studio — the desktop studio: fractalmidi-studio [song.mid] [--checkpoint model.safetensors]
//
// The window is shown first; the MIDI file and the model are loaded right after (the model on the worker thread).
#include <QApplication>
#include <QCommandLineParser>
#include <QTimer>

#include <cstdio>
#include <string>

#include "core/log.h"
#include "ui/main_window.h"
#include "ui/studio_metatypes.h"

int main(int argc, char** argv) {
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("FractalMIDI"));
    QApplication::setApplicationName(QStringLiteral("FractalMIDI Studio"));
    QApplication::setApplicationVersion(QStringLiteral(FM_VERSION));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Generate piano music with a fractal model and watch every level fill the roll."));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption checkpoint(QStringList{QStringLiteral("checkpoint")},
                                        QStringLiteral("Model checkpoint (.safetensors) to load."), QStringLiteral("FILE"));
    parser.addOption(checkpoint);
    parser.addPositionalArgument(QStringLiteral("midi"), QStringLiteral("A .mid file to open."), QStringLiteral("[song.mid]"));
    parser.process(app);

    fm::set_log_sink([](fm::LogLevel, const std::string& m) { std::fprintf(stderr, "%s\n", m.c_str()); });
    fm::ui::registerStudioMetaTypes();

    fm::ui::MainWindow window;
    window.show();
    const QStringList args = parser.positionalArguments();
    const QString midi = args.isEmpty() ? QString() : args.first();
    const QString model = parser.value(checkpoint);
    QTimer::singleShot(0, &window, [&window, midi, model] { window.startUp(midi, model); });
    return app.exec();
}
