// test_studio_jam.cpp — a jam from the Jam panel with random tiny weights and a simulated input source (notes
// handed to the controller as MIDI in would): the notes arrive and are quantised onto the session, the model's bars
// appear before they are due and in order, the bars it is making show grey first, and the session becomes the
// current roll when it ends. Also: the MIDI input's parser (notes, running status of note-on 0, the clock's tempo).
#include <QComboBox>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
#include <QDoubleSpinBox>
#include <QTest>
#include <QUndoStack>

#include <algorithm>
#include <cmath>
#include <thread>

#include "core/audio/midi_in.h"
#include "core/notes.h"
#include "studio_test_support.h"
#include "ui/jam_controller.h"
#include "ui/jam_panel.h"
#include "ui/main_window.h"
#include "ui/piano_roll_view.h"
#include "ui/roll_document.h"

using fm::ui::JamController;
using fm::ui::MainWindow;

class TestStudioJam : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() {
        studiotest::isolateSettings();
        QSettings().clear();
    }

    void jamQuantisesTheInputAndHasEachBarReadyBeforeItIsDue() {
        MainWindow w;
        w.setInteractive(false);
        w.show();
        QVERIFY(studiotest::loadRandomModel(w));
        auto* panel = w.jamPanel();
        panel->findChild<QComboBox*>(QStringLiteral("jamMode"))->setCurrentIndex(1);   // accompany
        panel->findChild<QSpinBox*>(QStringLiteral("jamBars"))->setValue(4);
        panel->findChild<QDoubleSpinBox*>(QStringLiteral("jamTempo"))->setValue(120);   // a bar lasts 2 s: slack for slow (sanitized) builds
        JamController* jam = w.jamController();
        QSignalSpy started(jam, &JamController::started);
        QSignalSpy jobs(jam, &JamController::jobStarted);
        QSignalSpy bars(jam, &JamController::barReady);
        QSignalSpy finished(jam, &JamController::finished);
        std::vector<int> grey_when_started;   // unknown cells shown when each job began (its bars, until they fill)
        connect(jam, &JamController::jobStarted, this, [&] {
            QCoreApplication::processEvents();
            grey_when_started.push_back(studiotest::unknownCells(w.view()->roll()));
        });
        QTest::mouseClick(panel->findChild<QPushButton*>(QStringLiteral("jamStart")), Qt::LeftButton);
        QVERIFY(jam->running());
        QVERIFY(started.wait(30000));
        QCOMPARE(started.first().at(0).toInt(), 4 * 16);

        // The simulated musician: C5 struck in bar 1 beat 2 (step 4), held a beat; E5 a beat later. Each at the
        // session time of its step, so the quantised steps are known whatever the machine's latency.
        const double bar = 2.0, step = bar / 16;
        auto at = [&](double t) { while (jam->sessionSeconds() < t) QTest::qWait(2); };
        at(bar + 4 * step);
        jam->noteOn(72, 100);
        at(bar + 8 * step);
        jam->noteOff(72);
        jam->noteOn(76, 90);
        at(bar + 12 * step);
        jam->noteOff(76);

        QVERIFY(finished.wait(60000));
        QVERIFY(!jam->running());
        // accompany: the model makes bars 1, 2 and 3, one job each, each ready before it is due.
        QCOMPARE(jobs.count(), 3);
        QCOMPARE(bars.count(), 3);
        for (int i = 0; i < bars.count(); ++i) {
            QCOMPARE(bars.at(i).at(0).toInt(), i + 1);
            const double due = bars.at(i).at(1).toDouble(), ready = bars.at(i).at(2).toDouble();
            QVERIFY2(ready < due, qPrintable(QStringLiteral("bar %1 ready %2 s, due %3 s").arg(i + 1).arg(ready).arg(due)));
        }
        for (int grey : grey_when_started) QVERIFY(grey > 0);   // its bars were shown grey before they filled

        const auto notes = jam->musicianNotes();
        QCOMPARE(notes.size(), size_t(2));
        QVERIFY2(std::abs(notes[0].start - 4) <= 1 && std::abs(notes[0].end - 8) <= 1, qPrintable(QString::number(notes[0].start)));
        QCOMPARE(notes[0].pitch, 72);
        QCOMPARE(notes[1].pitch, 76);
        // The session is now the current roll, with the musician's notes exactly as quantised.
        const fm::Roll kept = w.document()->roll();
        QCOMPARE(kept.width, 4 * 16);
        const auto out = fm::roll_to_notes(kept);
        for (const auto& n : notes) QVERIFY(std::find(out.begin(), out.end(), n) != out.end());
        QCOMPARE(w.document()->firstBpm(), 120.0);
        w.undoStack()->undo();   // one undo step takes the session back out
        QVERIFY(w.document()->roll().width != 4 * 16 || fm::roll_to_notes(w.document()->roll()).empty());
    }

    void midiInReadsNotesAndTheClocksTempo() {
        fm::MidiIn in;
        std::vector<fm::MidiIn::Message> got;
        in.set_callback([&](const fm::MidiIn::Message& m) { got.push_back(m); });
        in.deliver({0x91, 60, 100});   // note on, channel 2
        in.deliver({0x91, 60, 0});     // note on at velocity 0: an off
        in.deliver({0x80, 62, 40});    // note off
        in.deliver({0xB0, 7, 100});    // a controller: not passed on
        in.deliver({0xFA});            // start
        QCOMPARE(got.size(), size_t(4));
        QVERIFY(got[0].note_on() && got[0].data1 == 60 && got[0].data2 == 100);
        QVERIFY(got[1].note_off() && !got[1].note_on());
        QVERIFY(got[2].note_off());
        QCOMPARE(int(got[3].status), 0xFA);
        QCOMPARE(in.clock_bpm(), 0.0);
        // Ticks 24 a quarter at 125 bpm: 20 ms apart.
        for (int i = 0; i < 30; ++i) {
            in.deliver({0xF8});
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        QVERIFY2(std::abs(in.clock_bpm() - 125.0) < 12.0, qPrintable(QString::number(in.clock_bpm())));
        QCOMPARE(got.size(), size_t(4));   // ticks are not messages
    }
};

QTEST_MAIN(TestStudioJam)
#include "test_studio_jam.moc"
