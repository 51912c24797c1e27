// test_studio_playback.cpp — PlaybackController: a rendered WAV of a roll with notes is not silent (skipped without
// a soundfont), play drives the playhead even with no audio device, and the MIDI-out box explains itself.
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include "studio_test_support.h"
#include "ui/midi_out_box.h"
#include "ui/playback.h"

using fm::ui::PlaybackController;

class TestStudioPlayback : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;

private Q_SLOTS:
    void initTestCase() {
        studiotest::isolateSettings();
        QVERIFY(dir_.isValid());
    }

    void renderWavOfNotesIsNotSilent() {
        PlaybackController pc;
        if (pc.soundfont().isEmpty()) QSKIP("no General MIDI soundfont installed (timgm6mb-soundfont or fluid-soundfont-gm)");
        const QString notes = dir_.filePath(QStringLiteral("notes.wav"));
        const QString silence = dir_.filePath(QStringLiteral("silence.wav"));
        QString error;
        QVERIFY2(pc.renderWav(studiotest::codedRoll(64), 120.0, notes, &error), qPrintable(error));
        QVERIFY2(pc.renderWav(fm::Roll(64), 120.0, silence, &error), qPrintable(error));
        const int loud = studiotest::wavPeak(notes), quiet = studiotest::wavPeak(silence);
        qInfo("peak with notes %d, without %d (soundfont %s)", loud, quiet, qPrintable(pc.soundfont()));
        QVERIFY(loud > 1000);
        QVERIFY(quiet >= 0 && quiet * 10 < loud);
        QVERIFY(!pc.renderWav(studiotest::codedRoll(64), 120.0, dir_.filePath(QStringLiteral("no/such/dir/x.wav")), &error));
        QVERIFY(!error.isEmpty());
    }

    void playDrivesThePlayheadEvenWithoutSound() {
        PlaybackController pc;
        QSignalSpy position(&pc, &PlaybackController::position);
        QSignalSpy playing(&pc, &PlaybackController::playingChanged);
        QVERIFY(pc.play(studiotest::codedRoll(32), 480.0, false));   // 32 steps at 480 bpm: 1 s
        if (!pc.hasSound()) qInfo("no sound here: %s", qPrintable(pc.noSoundReason()));
        QVERIFY(pc.hasSound() || !pc.noSoundReason().isEmpty());
        QTRY_VERIFY_WITH_TIMEOUT(!playing.isEmpty() && !playing.last().at(0).toBool(), 5000);
        int max_step = -1;
        for (const auto& a : position) max_step = std::max(max_step, a.at(0).toInt());
        QVERIFY2(max_step >= 16, qPrintable(QString::number(max_step)));
        QCOMPARE(position.last().at(0).toInt(), -1);
        QVERIFY(!pc.playing());
    }

    void stopEndsALoopAndVolumeIsClamped() {
        PlaybackController pc;
        QSignalSpy position(&pc, &PlaybackController::position);
        QVERIFY(pc.play(studiotest::codedRoll(16), 240.0, true));
        QTest::qWait(300);
        QVERIFY(pc.playing());
        pc.stop();
        QVERIFY(!pc.playing());
        QCOMPARE(position.last().at(0).toInt(), -1);
        pc.setVolume(150);
        QCOMPARE(pc.volume(), 100);
        pc.setVolume(-3);
        QCOMPARE(pc.volume(), 0);
    }

    void midiOutBoxIsDisabledWithTheReasonWithoutAMidiSystem() {
        QString why_ports, why_virtual;
        const QStringList ports = PlaybackController::midiPorts(&why_ports);
        const bool virtual_ok = PlaybackController::virtualPortSupported(&why_virtual);
        PlaybackController pc;
        fm::ui::MidiOutBox box(&pc);
        if (!ports.isEmpty() || virtual_ok) {
            QVERIFY(box.isEnabled());
            QCOMPARE(box.count(), 1 + int(virtual_ok) + int(ports.size()));
            QSKIP("this machine has a MIDI system");
        }
        QVERIFY(!box.isEnabled());
        QVERIFY(box.toolTip().startsWith(QStringLiteral("MIDI out unavailable: ")));
        QVERIFY(box.toolTip().size() > QStringLiteral("MIDI out unavailable: ").size());
    }
};

QTEST_MAIN(TestStudioPlayback)
#include "test_studio_playback.moc"
