// test_studio_tracks.cpp — a multi-track model in the studio (tiny random weights, three tracks): a file imported by
// the model's track names, the active track edited over the others drawn behind it, Show/Mute/Solo on what is drawn,
// played and exported, and Keep on what a generation leaves alone.
#include <QCheckBox>
#include <QDir>
#include <QImage>
#include <QSettings>
#include <QSignalSpy>
#include <QStatusBar>
#include <QTest>
#include <QUndoStack>

#include "core/harmony.h"
#include "core/track_rolls.h"
#include "model/checkpoint.h"
#include "model/conditions.h"
#include "model/fractal_net.h"
#include "model/model_config.h"
#include "studio_test_support.h"
#include "ui/main_window.h"
#include "ui/piano_roll_view.h"
#include "ui/roll_document.h"
#include "ui/track_list.h"
#include "ui/variation_bar.h"

using fm::ui::MainWindow;

namespace {

QString tempPath(const QString& name) {
    return QDir(QDir::tempPath()).filePath(QStringLiteral("fm-tracks-%1-%2").arg(QCoreApplication::applicationPid()).arg(name));
}

// Eight bars in the POP909 layout: MELODY (a line in C), BRIDGE (a few held notes), PIANO (chords).
fm::TrackRolls song() {
    fm::TrackRolls t;
    fm::Roll melody(128), bridge(128), piano(128);
    const int line[] = {72, 74, 76, 77, 79, 77, 76, 74};
    for (int i = 0; i < 32; ++i)
        for (int s = 0; s < 3; ++s) melody.at(line[i % 8], i * 4 + s) = fm::velocity_to_value(90);
    for (int b = 0; b < 8; b += 2)
        for (int s = 0; s < 8; ++s) bridge.at(67, b * 16 + s) = fm::velocity_to_value(70);
    for (int b = 0; b < 8; ++b)
        for (int p : {48, 52, 55})
            for (int s = 0; s < 12; ++s) piano.at(p + (b % 2) * 5, b * 16 + s) = fm::velocity_to_value(60);
    t.tracks = {melody, bridge, piano};
    t.info = {{"MELODY", 0}, {"BRIDGE", 0}, {"PIANO", 0}};
    t.tempo = {fm::TempoChange{0, 600000}};
    return t;
}

bool loadThreeTrackModel(MainWindow& w, const QString& path) {
    fm::ModelConfig c = fm::model_preset("tiny");
    c.track_names = {"melody", "bridge", "piano"};
    fm::FractalNet net = fm::seeded_net(c, 1);
    fm::save_checkpoint(path.toStdString(), net, nullptr, {{"step", "0"}});
    QSignalSpy ready(&w, &MainWindow::modelReady);
    fm::ui::ModelSource s;
    s.kind = fm::ui::ModelSource::Kind::checkpoint, s.path = path;
    w.loadModel(s);
    return ready.wait(30000);
}

}  // namespace

class TestStudioTracks : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() {
        studiotest::isolateSettings();
        QSettings().clear();
    }

    void aMultiTrackModelImportsEditsPlaysExportsAndWritesTracks() {
        const QString model = tempPath(QStringLiteral("model.safetensors")), midi = tempPath(QStringLiteral("song.mid"));
        const QString out = tempPath(QStringLiteral("out.mid")), plain = tempPath(QStringLiteral("plain.mid"));
        const fm::TrackRolls source = song();
        fm::save_midi_tracks(midi.toStdString(), source);
        MainWindow w;
        w.setInteractive(false);
        w.show();
        QVERIFY(loadThreeTrackModel(w, model));
        fm::ui::TrackList* tracks = w.trackList();
        QCOMPARE(tracks->names(), (QStringList{QStringLiteral("melody"), QStringLiteral("bridge"), QStringLiteral("piano")}));

        // Import: the file's MELODY, BRIDGE and PIANO tracks are the model's roles, by name (any case).
        QVERIFY(w.openMidi(midi));
        const fm::Roll doc = w.document()->roll();
        QCOMPARE(doc.rows, 3 * fm::kPitches);
        QCOMPARE(w.document()->tracks(), tracks->names());
        for (int k = 0; k < 3; ++k) QCOMPARE(fm::track_of(doc, k), source.tracks[size_t(k)]);

        // The view edits the active track (the last, piano) and draws the others behind it in their colours.
        QCOMPARE(tracks->active(), 2);
        QCOMPARE(w.view()->roll(), source.tracks[2]);
        const std::vector<QRgb>& ghosts = w.view()->ghostCells();
        QCOMPARE(ghosts.size(), size_t(fm::kPitches) * 128);
        QCOMPARE(ghosts[size_t(72) * 128 + 0], fm::ui::TrackList::colourOf(0).rgb());   // the melody's first note
        QCOMPARE(ghosts[size_t(67) * 128 + 0], fm::ui::TrackList::colourOf(1).rgb());   // the bridge's
        QCOMPARE(ghosts[size_t(48) * 128 + 0], QRgb(0));                                // the piano's own: not a ghost
        tracks->setShown(1, false);   // the bridge hidden
        QCOMPARE(w.view()->ghostCells()[size_t(67) * 128 + 0], QRgb(0));
        tracks->setShown(1, true);

        // An edit of the active track changes that track alone, and undoes as one step.
        tracks->setActive(0);
        QCOMPARE(w.view()->roll(), source.tracks[0]);
        w.view()->selectAll();
        QVERIFY(w.view()->deleteSelectedNotes());
        QCOMPARE(fm::count_notes(fm::track_of(w.document()->roll(), 0)), 0);
        QCOMPARE(fm::track_of(w.document()->roll(), 1), source.tracks[1]);
        QCOMPARE(fm::track_of(w.document()->roll(), 2), source.tracks[2]);
        w.undoStack()->undo();
        QCOMPARE(w.document()->roll(), doc);

        // Mute and Solo: what plays, renders and exports.
        QCOMPARE(w.audibleRoll(), fm::flatten_tracks(doc));
        tracks->setMuted(1, true);
        QCOMPARE(w.audibleRoll(), fm::flatten_tracks(doc, {0, 2}));
        QVERIFY(w.exportMidi(out));
        const fm::TrackRolls back = fm::load_midi_tracks(out.toStdString(), {});
        QCOMPARE(back.tracks.size(), size_t(2));   // the muted bridge left out
        QCOMPARE(QString::fromStdString(back.info[0].name), QStringLiteral("melody"));
        QCOMPARE(QString::fromStdString(back.info[1].name), QStringLiteral("piano"));
        QCOMPARE(back.tracks[0], source.tracks[0]);
        QCOMPARE(back.tracks[1], source.tracks[2]);
        tracks->setSolo(2, true);
        QCOMPARE(w.audibleRoll(), source.tracks[2]);
        tracks->setSolo(2, false);
        tracks->setMuted(1, false);

        // Generate with Keep on the melody (the default): the melody comes back unchanged, the others are written,
        // and in the melody's key.
        QCOMPARE(tracks->keptTracks(), std::vector<int>{0});
        QSignalSpy done(&w, &MainWindow::generationFinished);
        w.generate();
        QVERIFY(w.generating());
        QVERIFY(done.wait(120000));
        QCOMPARE(done.first().at(1).toString(), QString());
        const fm::Roll made = w.variations()->variation(0);
        QCOMPARE(made.rows, 3 * fm::kPitches);
        QCOMPARE(fm::track_of(made, 0), source.tracks[0]);
        QCOMPARE(studiotest::unknownCells(made), 0);
        QCOMPARE(w.lastParams().mode, fm::GenerateMode::inpainting);
        QCOMPARE(w.lastParams().conditions.key, fm::key_code(fm::estimate_key(source.tracks[0])));
        w.variations()->keepRequested(0);
        QCOMPARE(w.document()->roll(), made);
        QCOMPARE(w.document()->tracks(), tracks->names());

        // Only the edited track written (melody and bridge kept): while and after it fills in, the kept tracks stay
        // drawn behind it (a cell that changes is redrawn with its ghost).
        tracks->setKeep(1, true);
        tracks->setActive(2);
        QSignalSpy again(&w, &MainWindow::generationFinished);
        w.generate();
        QVERIFY(again.wait(120000));
        const fm::Roll piano_only = w.variations()->variation(0);
        QCOMPARE(w.view()->roll(), fm::track_of(piano_only, 2));
        w.view()->fitToView();
        int ghost_t = -1, plain_t = -1;   // on pitch 72: a melody note with the piano silent, and a cell where all are
        for (int t = 0; t < 128; ++t) {
            if (t % 4 == 0) continue;   // beat lines
            float sum = 0;
            for (int k = 0; k < 3; ++k) sum += piano_only.at(k * fm::kPitches + 72, t);
            if (piano_only.at(72, t) > 0 && sum == piano_only.at(72, t) && ghost_t < 0) ghost_t = t;
            if (sum == 0 && plain_t < 0) plain_t = t;
        }
        QVERIFY(ghost_t >= 0 && plain_t >= 0);
        const QImage shot = w.view()->viewport()->grab().toImage();
        QVERIFY2(shot.pixel(w.view()->cellCenter(72, ghost_t)) != shot.pixel(w.view()->cellCenter(72, plain_t)),
                 "the kept melody is not drawn behind the written piano");

        // Every track kept: nothing to write, and it says so.
        tracks->setKeep(2, true);
        w.generate();
        QVERIFY(!w.generating());
        QVERIFY2(w.lastError().contains(QStringLiteral("Keep")), qPrintable(w.lastError()));

        // A file with none of the roles' names: all its notes become the last track, and the status bar says so.
        fm::save_midi(plain.toStdString(), source.tracks[0], source.tempo);
        QVERIFY(w.openMidi(plain));
        QCOMPARE(fm::track_of(w.document()->roll(), 2), source.tracks[0]);
        QCOMPARE(fm::count_notes(fm::track_of(w.document()->roll(), 0)), 0);
        QVERIFY2(w.statusBar()->currentMessage().contains(QStringLiteral("piano")), qPrintable(w.statusBar()->currentMessage()));

        // New: an empty roll of the model's tracks, ready to generate into.
        w.newRoll(64);
        QCOMPARE(w.document()->roll().rows, 3 * fm::kPitches);
        QCOMPARE(w.document()->tracks(), tracks->names());

        // Jam plays one-track models: refused with the reason.
        w.startJam();
        QVERIFY2(w.lastError().contains(QStringLiteral("3 tracks")), qPrintable(w.lastError()));
        for (const QString& f : {model, midi, out, plain}) QFile::remove(f);
    }

    void aOneTrackRollBecomesTheLastTrackWhenAMultiTrackModelLoads() {
        const QString model = tempPath(QStringLiteral("model2.safetensors"));
        MainWindow w;
        w.setInteractive(false);
        w.show();
        const fm::Roll one = studiotest::codedRoll(128);
        w.setDocumentRoll(one, QStringLiteral("one.mid"));
        QVERIFY(loadThreeTrackModel(w, model));
        QCOMPARE(w.document()->roll().rows, 3 * fm::kPitches);
        QCOMPARE(fm::track_of(w.document()->roll(), 2), one);
        w.undoStack()->undo();   // one step back to the one-track roll
        QCOMPARE(w.document()->roll(), one);
        // Generating over a one-track roll (a jam's, a script's) takes it as the last track first, and keeps the melody
        // track (empty here) as it is.
        QSignalSpy done(&w, &MainWindow::generationFinished);
        w.generate();
        QVERIFY(done.wait(120000));
        QCOMPARE(w.document()->roll().rows, 3 * fm::kPitches);
        QCOMPARE(fm::count_notes(fm::track_of(w.variations()->variation(0), 0)), 0);
        QFile::remove(model);
    }
};

QTEST_MAIN(TestStudioTracks)
#include "test_studio_tracks.moc"
