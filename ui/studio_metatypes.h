// studio_metatypes.h — the value types of the studio's signals (the workers', the window's), registered with Qt.
//
//   fm::ui::registerStudioMetaTypes();   // once, before a queued connection or a QSignalSpy on them (main(), tests)
//
// The workers emit on the GUI thread (their values cross threads under a mutex, ui/job_thread.h); registering the
// types keeps queued connections and QSignalSpy working for any receiver.
// Thread-safety: registerStudioMetaTypes may be called any number of times from the GUI thread.
#pragma once

#include <QMetaType>
#include <QString>
#include <QStringList>

#include <vector>

#include "core/roll.h"
#include "model/generate_params.h"

namespace fm::ui {

// What the generate panel shows about the loaded model (read from fm::Engine on the worker thread).
struct ModelInfo {
    QString source;          // checkpoint path, or "random weights"
    QString preset;          // "tiny", "small", "base", "custom"
    QString generatorTypes;  // "mar,mar,mar,mar"
    QString device;          // "cpu", "cuda:0"
    QString precision;       // of the matmuls, as used: "fp32" | "bf16"
    qint64 parameters = 0;
    int cropLength = 128;    // steps the model was trained on
    QString layout;          // "long" | "folded"
    QStringList tracks;      // a multi-track model's roles ("melody", "bridge", "piano"); empty for one track
};

void registerStudioMetaTypes();

}  // namespace fm::ui

Q_DECLARE_METATYPE(fm::Roll)
Q_DECLARE_METATYPE(std::vector<fm::Roll>)
Q_DECLARE_METATYPE(fm::GenerateParams)
Q_DECLARE_METATYPE(fm::ui::ModelInfo)
