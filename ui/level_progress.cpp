#include "ui/level_progress.h"

#include <QGridLayout>
#include <QLabel>
#include <QProgressBar>

#include <algorithm>

namespace fm::ui {

namespace {

constexpr int kBarRange = 1000;   // bars count in thousandths so that nested passes move them smoothly

const char* rowName(int row) {
    static const char* names[LevelProgress::kRows] = {"16×16 patches", "4×4 patches", "cells", "velocity"};
    return names[row];
}

}  // namespace

LevelProgress::LevelProgress(QWidget* parent) : QWidget(parent) {
    auto* grid = new QGridLayout(this);
    grid->setContentsMargins(4, 4, 4, 4);
    grid->setVerticalSpacing(2);
    for (int r = 0; r < kRows; ++r) {
        Row& row = rows_[size_t(r)];
        row.name = new QLabel(QString::fromUtf8(rowName(r)), this);
        row.text = new QLabel(this);
        row.bar = new QProgressBar(this);
        row.bar->setRange(0, kBarRange);
        row.bar->setTextVisible(false);
        row.bar->setMaximumHeight(10);
        grid->addWidget(row.name, 2 * r, 0);
        grid->addWidget(row.text, 2 * r, 1);
        grid->addWidget(row.bar, 2 * r + 1, 0, 1, 2);
    }
    overall_bar_ = new QProgressBar(this);
    overall_bar_->setRange(0, kBarRange);
    overall_bar_->setFormat(QStringLiteral("%p%"));
    status_ = new QLabel(this);
    grid->addWidget(overall_bar_, 2 * kRows, 0, 1, 2);
    grid->addWidget(status_, 2 * kRows + 1, 0, 1, 2);
    grid->setRowStretch(2 * kRows + 2, 1);
    reset();
}

QString LevelProgress::rowText(int row) const {
    const Row& r = rows_[size_t(row)];
    if (r.of <= 0) {
        // Reports nest: a level reports its first step only after the levels below have done theirs.
        const bool below_active = std::any_of(rows_.begin() + row + 1, rows_.end(), [](const Row& x) { return x.of > 0; });
        return below_active ? tr("level %1 of %2 · first step…").arg(row + 1).arg(kRows) : tr("level %1 of %2 · idle").arg(row + 1).arg(kRows);
    }
    return tr("level %1 of %2 · step %3 of %4").arg(row + 1).arg(kRows).arg(r.step).arg(r.of);
}

void LevelProgress::reset() {
    windows_ = 1;
    window_ = 0;
    for (int r = 0; r < kRows; ++r) {
        rows_[size_t(r)].step = rows_[size_t(r)].of = 0;
        rows_[size_t(r)].bar->setValue(0);
        rows_[size_t(r)].text->setText(rowText(r));
    }
    overall_ = 0;
    last_level_ = -1;
    overall_bar_->setValue(0);
    status_->clear();
}

void LevelProgress::report(int level, int step, int of, int window, int windows) {
    if (level < 0 || level >= kRows - 1 || of <= 0) return;
    windows_ = std::max(1, windows);
    window = std::clamp(window, 0, windows_ - 1);
    if (window != window_) {
        window_ = window;   // a fresh window: its levels start from zero
        for (Row& r : rows_) r.step = r.of = 0;
    }
    last_level_ = level;
    rows_[size_t(level)].step = std::clamp(step, 0, of);
    rows_[size_t(level)].of = of;
    // A report of this level means the passes below it are over; the next ones start from zero.
    for (int r = level + 1; r < kRows - 1; ++r) rows_[size_t(r)].step = 0;
    // The velocity head draws with the cells: its row follows them.
    rows_[kRows - 1].step = rows_[kRows - 2].step;
    rows_[kRows - 1].of = rows_[kRows - 2].of;
    for (int r = 0; r < kRows; ++r) {
        const Row& row = rows_[size_t(r)];
        row.bar->setValue(row.of > 0 ? int(kBarRange * double(row.step) / row.of) : 0);
        row.text->setText(rowText(r));
    }
    updateOverall();
    QString now = tr("now: %1").arg(QString::fromUtf8(rowName(level)));
    if (windows_ > 1) now += tr(" · window %1 of %2").arg(window_ + 1).arg(windows_);
    status_->setText(now);
}

void LevelProgress::updateOverall() {
    // Nested fractions from the deepest level up: a level's pass is (steps done + the running sub-pass) / steps.
    // Until level 0 has reported once its number of steps is unknown, and so is the whole run's.
    if (rows_[0].of <= 0) {
        overall_bar_->setValue(int(kBarRange * overall_));
        return;
    }
    double f = 0;
    for (int r = kRows - 2; r >= 0; --r) {
        const Row& row = rows_[size_t(r)];
        if (row.of <= 0) continue;
        f = std::min(1.0, (row.step + (row.step < row.of ? f : 0.0)) / row.of);
    }
    overall_ = std::max(overall_, std::min(1.0, (window_ + f) / windows_));   // never backwards within a run
    overall_bar_->setValue(int(kBarRange * overall_));
}

void LevelProgress::finish(bool cancelled) {
    if (!cancelled) {   // every level's passes are over: full rows (the last level-0 report had reset those below)
        overall_ = 1;
        overall_bar_->setValue(kBarRange);
        for (int r = 0; r < kRows; ++r) {
            Row& row = rows_[size_t(r)];
            if (row.of <= 0) continue;
            row.step = row.of;
            row.bar->setValue(kBarRange);
            row.text->setText(rowText(r));
        }
    }
    status_->setText(cancelled ? tr("cancelled: the partial roll is kept") : tr("done"));
}

}  // namespace fm::ui
