// studio_screenshot.cpp — the README's editing pictures, made by using the studio as a musician would: draw a motif
// with the pencil (real mouse events), select it, "Fill around selection" with the default model, and grab the
// window before and after. Not a test: scripts/screenshot-editing.sh runs it under Xvfb.
//   fm_studio_screenshot MOTIF.png FILL.png
//   fm_studio_screenshot --tracks MODEL.safetensors SONG.mid TRACKS.png   (a multi-track model writing SONG's other
//                                                                          tracks under its kept melody)
#include <QAction>
#include <QApplication>
#include <QComboBox>
#include <QMouseEvent>
#include <QScrollBar>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStatusBar>
#include <QTest>

#include <cstdio>

#include "ui/generate_panel.h"
#include "ui/main_window.h"
#include "ui/model_source.h"
#include "ui/piano_roll_view.h"
#include "ui/variation_bar.h"

namespace {

void mouse(QWidget* w, QEvent::Type type, QPoint pos, Qt::MouseButtons buttons) {
    QMouseEvent e(type, QPointF(pos), w->mapToGlobal(QPointF(pos)), Qt::LeftButton, buttons, Qt::NoModifier);
    QApplication::sendEvent(w, &e);
}

// A note drawn with the pencil: pressed at its first step, dragged to its last.
void drawNote(fm::ui::PianoRollView* view, int pitch, int start, int end) {
    QWidget* vp = view->viewport();
    mouse(vp, QEvent::MouseButtonPress, view->cellCenter(pitch, start), Qt::LeftButton);
    mouse(vp, QEvent::MouseMove, view->cellCenter(pitch, end - 1), Qt::LeftButton);
    mouse(vp, QEvent::MouseButtonRelease, view->cellCenter(pitch, end - 1), Qt::NoButton);
}

}  // namespace

// A multi-track model over a song: its melody kept (the default Keep), the other tracks written, the piano edited.
int tracksPicture(fm::ui::MainWindow& w, const QString& model, const QString& song, const QString& out) {
    QSignalSpy ready(&w, &fm::ui::MainWindow::modelReady);
    fm::ui::ModelSource s;
    s.kind = fm::ui::ModelSource::Kind::checkpoint, s.path = model;
    w.loadModel(s);
    if (!ready.wait(60000)) return 1;
    w.findChild<QSpinBox*>(QStringLiteral("variationsBox"))->setValue(1);
    if (!w.openMidi(song)) return 1;
    w.generatePanel()->seedBox()->setValue(7);
    QSignalSpy done(&w, &fm::ui::MainWindow::generationFinished);
    w.generate();
    if (!done.wait(300000)) return 1;
    auto* view = w.view();
    view->setZoom(7.5, 5);
    view->verticalScrollBar()->setValue(int((127 - 86) * view->pitchHeight()));
    QTest::qWait(200);
    w.statusBar()->clearMessage();
    return w.grab().save(out) ? 0 : 1;
}

int main(int argc, char** argv) {
    QApplication app(argc, argv);
    const bool tracks = argc == 5 && QString::fromLocal8Bit(argv[1]) == QLatin1String("--tracks");
    if (argc != 3 && !tracks) {
        std::fprintf(stderr, "usage: fm_studio_screenshot MOTIF.png FILL.png\n"
                             "       fm_studio_screenshot --tracks MODEL.safetensors SONG.mid TRACKS.png\n");
        return 2;
    }
    QCoreApplication::setOrganizationName(QStringLiteral("FractalMIDI-screenshot"));
    fm::ui::MainWindow w;
    w.setInteractive(false);
    w.resize(1280, 800);
    w.show();
    if (!QTest::qWaitForWindowExposed(&w)) return 1;
    if (tracks) return tracksPicture(w, QString::fromLocal8Bit(argv[2]), QString::fromLocal8Bit(argv[3]), QString::fromLocal8Bit(argv[4]));
    QSignalSpy ready(&w, &fm::ui::MainWindow::modelReady);
    fm::ui::ModelSource s;
    s.kind = fm::ui::ModelSource::Kind::checkpoint, s.path = fm::ui::defaultModelPath(128);
    w.loadModel(s);
    if (s.path.isEmpty() || !ready.wait(60000)) return 1;
    w.findChild<QSpinBox*>(QStringLiteral("variationsBox"))->setValue(1);
    w.newRoll(128);
    auto* view = w.view();
    view->setZoom(7.5, 6);
    view->verticalScrollBar()->setValue(int((127 - 80) * view->pitchHeight()));
    w.findChild<QAction*>(QStringLiteral("actionToolPencil"))->trigger();
    w.findChild<QComboBox*>(QStringLiteral("gridBox"))->setCurrentIndex(1);   // 1/8
    w.findChild<QSpinBox*>(QStringLiteral("velocityBox"))->setValue(96);
    // A motif in A minor: A C E D C B, then the same a third lower, over two bars each.
    const int motif[][3] = {{69, 0, 4}, {72, 4, 8}, {76, 8, 14}, {74, 14, 16}, {72, 16, 20}, {71, 20, 28},
                            {65, 32, 36}, {69, 36, 40}, {72, 40, 46}, {71, 46, 48}, {69, 48, 52}, {68, 52, 60}};
    for (const auto& n : motif) drawNote(view, n[0], n[1], n[2]);
    w.findChild<QAction*>(QStringLiteral("actionSelectAll"))->trigger();
    QTest::qWait(200);
    w.statusBar()->clearMessage();   // (no sound device under Xvfb: the auditions' complaint)
    if (!w.grab().save(QString::fromLocal8Bit(argv[1]))) return 1;
    QSignalSpy done(&w, &fm::ui::MainWindow::generationFinished);
    w.generatePanel()->seedBox()->setValue(7);
    w.fillAroundSelection();
    if (!done.wait(120000)) return 1;
    QTest::qWait(200);
    return w.grab().save(QString::fromLocal8Bit(argv[2])) ? 0 : 1;
}
