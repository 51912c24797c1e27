// studio_test_support.h — small helpers for the studio's Qt tests: a worker on its own thread, rolls whose
// cells encode their coordinates, resident memory, WAV peaks, isolated settings.
#pragma once

#include <QCoreApplication>
#include <QFile>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QStringList>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <memory>
#include <vector>

#include "core/roll.h"
#include "model/engine.h"
#include "model/generate_params.h"
#include "ui/generate_panel.h"
#include "ui/generation_worker.h"
#include "ui/main_window.h"
#include "ui/model_source.h"

namespace studiotest {

// Random tiny weights in a main window: true once they are loaded and the Generate panel is ready (30 s at most).
inline bool loadRandomModel(fm::ui::MainWindow& w) {
    QSignalSpy ready(&w, &fm::ui::MainWindow::modelReady);
    fm::ui::ModelSource s;
    s.kind = fm::ui::ModelSource::Kind::random;
    w.loadModel(s);
    return ready.wait(30000) && w.generatePanel()->modelReady();
}

// Settings go to the test location (~/.qttest), never to the user's.
inline void isolateSettings() {
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("FractalMIDI-test"));
    QCoreApplication::setApplicationName(QStringLiteral("FractalMIDI Studio test"));
}

// A roll of `width` steps whose notes encode their position: a note every 4 steps, pitch and velocity from the step.
inline fm::Roll codedRoll(int width) {
    fm::Roll r(width);
    for (int t = 0; t + 2 <= width; t += 4) {
        const int pitch = 36 + (t / 4) % 48;
        const float v = fm::velocity_to_value(1 + (t * 5) % 127);
        r.at(pitch, t) = v;
        r.at(pitch, t + 1) = v;
    }
    return r;
}

inline int unknownCells(const fm::Roll& r) {
    int n = 0;
    for (float c : r.cells) n += c < 0;
    return n;
}

// VmRSS of this process in kB (0 when /proc is absent).
inline long residentKb() {
    QFile f(QStringLiteral("/proc/self/status"));
    if (!f.open(QIODevice::ReadOnly)) return 0;
    for (const QByteArray& line : f.readAll().split('\n'))
        if (line.startsWith("VmRSS:")) return line.mid(6).trimmed().split(' ').value(0).toLong();
    return 0;
}

// Largest absolute 16-bit sample in a PCM WAV file's data chunk; -1 when the file is not a 16-bit PCM WAV.
inline int wavPeak(const QString& path) {
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) return -1;
    const QByteArray b = f.readAll();
    if (b.size() < 12 || !b.startsWith("RIFF") || b.mid(8, 4) != "WAVE") return -1;
    int bits = 0;
    for (int pos = 12; pos + 8 <= b.size();) {
        const QByteArray id = b.mid(pos, 4);
        uint32_t size = 0;
        std::memcpy(&size, b.constData() + pos + 4, 4);
        const int body = pos + 8;
        if (id == "fmt " && body + 16 <= b.size()) {
            uint16_t bps = 0;
            std::memcpy(&bps, b.constData() + body + 14, 2);
            bits = bps;
        } else if (id == "data") {
            if (bits != 16) return -1;
            int peak = 0;
            const int end = std::min<qint64>(b.size(), qint64(body) + size);
            for (int i = body; i + 2 <= end; i += 2) {
                int16_t s = 0;
                std::memcpy(&s, b.constData() + i, 2);
                peak = std::max(peak, std::abs(int(s)));
            }
            return peak;
        }
        pos = body + int(size) + int(size & 1);
    }
    return -1;
}

// Records a worker's signals (emitted on the GUI thread, as the studio receives them).
struct WorkerRecorder : QObject {
    struct Report { int level, step, of, window, windows; fm::Roll canvas; };
    struct Result { std::vector<fm::Roll> rolls; bool cancelled; QString error; };
    std::vector<Report> progress;
    std::vector<Result> finished;
    std::vector<fm::ui::ModelInfo> ready;
    QStringList failed;
    explicit WorkerRecorder(fm::ui::GenerationWorker* w) {
        using W = fm::ui::GenerationWorker;
        connect(w, &W::progress, this,
                [this](int l, int s, int n, int wi, int ws, const fm::Roll& c) { progress.push_back({l, s, n, wi, ws, c}); });
        connect(w, &W::finished, this, [this](const std::vector<fm::Roll>& r, bool c, const QString& e) { finished.push_back({r, c, e}); });
        connect(w, &W::engineReady, this, [this](const fm::ui::ModelInfo& i) { ready.push_back(i); });
        connect(w, &W::engineFailed, this, [this](const QString& e) { failed << e; });
    }
    void clear() { progress.clear(), finished.clear(), ready.clear(), failed.clear(); }
};

// A GenerationWorker (it runs on a thread of its own), deleted at the end of the scope: it cancels and waits.
struct WorkerThread {
    std::unique_ptr<fm::ui::GenerationWorker> owner;
    fm::ui::GenerationWorker* worker;
    explicit WorkerThread(std::shared_ptr<fm::Engine> engine)
        : owner(std::make_unique<fm::ui::GenerationWorker>(std::move(engine))), worker(owner.get()) {}
    void start(const fm::GenerateParams& p) { worker->start(p); }
};

}  // namespace studiotest
