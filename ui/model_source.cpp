#include "ui/model_source.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>

namespace fm::ui {

QStringList defaultModelCandidates() {
    QStringList c;
    const QString app = QCoreApplication::applicationDirPath();
    if (!app.isEmpty()) c << QDir::cleanPath(app + QStringLiteral("/../share/fractalmidi/models/default.safetensors"));
#ifdef FM_RESOURCES_DIR
    c << QDir::cleanPath(QStringLiteral(FM_RESOURCES_DIR "/models/default.safetensors"));
#endif
    c << QDir::cleanPath(QDir::currentPath() + QStringLiteral("/resources/models/default.safetensors"));
    return c;
}

QString defaultModelPath() {
    for (const QString& p : defaultModelCandidates())
        if (QFileInfo(p).isFile()) return p;
    return {};
}

}  // namespace fm::ui
