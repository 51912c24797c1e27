// level_progress.h — the model's four levels as rows, each with a progress bar, filled live during generation.
//
//   auto* levels = new fm::ui::LevelProgress(parent);
//   connect(worker, &GenerationWorker::progress, levels,
//           [levels](int l, int s, int n, int w, int ws, const fm::Roll&) { levels->report(l, s, n, w, ws); });
//   levels->reset();                    // before a run
//   levels->finish(cancelled);          // after it
//
// Rows: level 1 "16×16 patches", level 2 "4×4 patches", level 3 "cells", level 4 "velocity". The generator reports
// levels 0..2 (0-based); the velocity head draws with each cell, so its row follows the cells. Reports nest: a
// report of a level starts a fresh pass of the levels below it. The overall bar combines the nested passes and
// the windows of a wide roll (each report says which window it belongs to, and how many the run takes).
// Thread-safety: GUI thread only.
#pragma once

#include <QWidget>

#include <array>

class QLabel;
class QProgressBar;

namespace fm::ui {

class LevelProgress : public QWidget {
    Q_OBJECT
public:
    static constexpr int kRows = 4;

    explicit LevelProgress(QWidget* parent = nullptr);

    void reset();   // all rows idle
    // level 0..2 (0-based), as fm::Progress; window of windows (0-based): rolls wider than the model's trained width
    // are generated in overlapping windows, each a full pass of level 0, and the overall bar spans all of them.
    void report(int level, int step, int of, int window = 0, int windows = 1);
    void finish(bool cancelled);
    double overall() const { return overall_; }   // 0..1, the whole run
    int lastLevel() const { return last_level_; }
    int window() const { return window_; }        // 0-based window of the run being generated
    QString rowText(int row) const;               // "level 2 of 4 · step 3 of 4"

private:
    void updateOverall();

    struct Row {
        QLabel* name = nullptr;
        QLabel* text = nullptr;
        QProgressBar* bar = nullptr;
        int step = 0, of = 0;
    };
    std::array<Row, kRows> rows_;
    QProgressBar* overall_bar_ = nullptr;
    QLabel* status_ = nullptr;
    double overall_ = 0;
    int last_level_ = -1;
    int windows_ = 1, window_ = 0;
};

}  // namespace fm::ui
