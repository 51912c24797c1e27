// test_studio_conditions.cpp — the conditions lane above the roll: chords typed there (as a progression or in a bar's
// cell) and the key box reach the model when Generate is pressed, and an opened file's chords show in its cells.
#include <QComboBox>
#include <QLineEdit>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include "core/harmony.h"
#include "core/midi_roll.h"
#include "studio_test_support.h"
#include "ui/conditions_lane.h"
#include "ui/generate_panel.h"
#include "ui/main_window.h"

using fm::ui::MainWindow;

class TestStudioConditions : public QObject {
    Q_OBJECT

    static fm::Roll chordBars(const std::vector<std::string>& names) {
        fm::Roll r(int(names.size()) * fm::kStepsPerBar);
        for (size_t b = 0; b < names.size(); ++b) {
            const fm::Chord chord = fm::parse_chord(names[b]);
            const uint16_t tones = fm::chord_pitch_classes(chord);
            for (int pc = 0; pc < 12; ++pc)   // root position: the root lowest
                if (tones >> pc & 1)
                    for (int t = 0; t < fm::kStepsPerBar; ++t) r.at(48 + chord.root + (pc - chord.root + 12) % 12, int(b) * fm::kStepsPerBar + t) = 0.6f;
        }
        return r;
    }

private Q_SLOTS:
    void initTestCase() { studiotest::isolateSettings(); }

    void typedChordsAndKeyReachTheModel() {
        MainWindow w;
        w.setInteractive(false);
        w.show();
        QVERIFY(studiotest::loadRandomModel(w));
        fm::ui::ConditionsLane* lane = w.conditionsLane();
        QTest::keyClicks(lane->chordEdit(), QStringLiteral("Am F C G"));
        QTest::keyClick(lane->chordEdit(), Qt::Key_Return);
        QCOMPARE(int(lane->strip()->chords().size()), 4);
        lane->keyBox()->setCurrentIndex(lane->keyBox()->findText(QStringLiteral("A minor")));
        // A bar's own cell: double-click (editBar) and type.
        lane->strip()->editBar(5);
        QVERIFY(lane->strip()->editor()->isVisible());
        lane->strip()->editor()->clear();
        QTest::keyClicks(lane->strip()->editor(), QStringLiteral("E7"));
        QTest::keyClick(lane->strip()->editor(), Qt::Key_Return);
        QCOMPARE(lane->chordEdit()->text(), QStringLiteral("Am F C G Am E7 C G"));

        QSignalSpy done(&w, &MainWindow::generationFinished);
        w.generate();
        QVERIFY(done.wait(90000));
        QCOMPARE(done.first().at(1).toString(), QString());
        const fm::Conditions asked = w.lastParams().conditions;
        QCOMPARE(int(asked.chords.size()), 8);
        QVERIFY(fm::same_chord(asked.chords[0], fm::parse_chord("Am")));
        QVERIFY(fm::same_chord(asked.chords[5], fm::parse_chord("E7")));
        QCOMPARE(asked.key, fm::key_code(fm::parse_key("A minor")));
        // The model followed them: with the key locked, every note is in A minor or in its bar's chord (E7's G#).
        const fm::Roll out = w.shownRoll();
        const uint16_t scale = fm::key_scale(fm::parse_key("A minor"));
        int notes = 0;
        for (int p = 0; p < fm::kPitches; ++p)
            for (int t = 0; t < out.width; ++t) {
                if (out.at(p, t) <= 0) continue;
                ++notes;
                const uint16_t bar_tones = fm::chord_pitch_classes(asked.chords[size_t(t / fm::kStepsPerBar) % asked.chords.size()]);
                QVERIFY2(((scale | bar_tones) >> (p % 12)) & 1, qPrintable(QStringLiteral("pitch %1 at step %2").arg(p).arg(t)));
            }
        QVERIFY(notes > 0);
        // Clear: nothing asked next time.
        lane->clear();
        QVERIFY(!lane->conditions().any());
    }

    void openedFileShowsItsChordsAndABadSymbolIsRefused() {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("progression.mid"));
        fm::save_midi(path.toStdString(), chordBars({"C", "Am", "F", "G"}));
        MainWindow w;
        w.setInteractive(false);
        w.show();
        QVERIFY(w.openMidi(path));
        fm::ui::ConditionsLane* lane = w.conditionsLane();
        QVERIFY(lane->strip()->imported());
        QCOMPARE(lane->chordEdit()->text(), QStringLiteral("C Am F G"));
        QCOMPARE(lane->strip()->bars(), 4);
        QVERIFY(!lane->strip()->cellRect(0).isEmpty());
        QVERIFY(lane->strip()->cellRect(0).right() < lane->strip()->cellRect(1).left() + 2);   // bars left to right
        // What the lane shows is asked of the next generation.
        QCOMPARE(int(lane->conditions().chords.size()), 4);

        QSignalSpy refused(lane, &fm::ui::ConditionsLane::invalidChord);
        QVERIFY(!lane->setChordText(QStringLiteral("C Xq7")));
        QCOMPARE(refused.count(), 1);
        QVERIFY(w.lastError().contains(QStringLiteral("Xq7")));
        QCOMPARE(int(lane->strip()->chords().size()), 4);   // nothing lost
    }
};

QTEST_MAIN(TestStudioConditions)
#include "test_studio_conditions.moc"
