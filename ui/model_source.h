// model_source.h — where the studio's model comes from: the bundled default, a checkpoint file, or random weights.
//
//   QString path = fm::ui::defaultModelPath();   // "" when no default model is installed
//
// The default model is resources/models/default.safetensors in the source tree (a development build) or
// <install prefix>/share/fractalmidi/models/default.safetensors beside the installed binary.
// Thread-safety: free functions.
#pragma once

#include <QString>
#include <QStringList>

namespace fm::ui {

struct ModelSource {
    enum class Kind { none, checkpoint, random };
    Kind kind = Kind::none;
    QString path;                           // checkpoint: the file
    QString preset = QStringLiteral("tiny");  // random: the preset
};

QStringList defaultModelCandidates();
QString defaultModelPath();

}  // namespace fm::ui
