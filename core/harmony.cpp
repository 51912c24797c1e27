#include "harmony.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>

#include "error.h"

namespace fm {

namespace {

constexpr const char* kNoteNames[12] = {"C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B"};

// Albrecht and Shanahan's key profiles (2013): the pitch-class distributions of major and minor pieces, tonic first.
// Against the key signatures the files declare, they name the same key more often than Krumhansl and Kessler's
// probe-tone ratings (1982), which were used before: Nottingham 90.2 % of 1,034 whole tunes (KK 83.8 %) and 87.2 % of
// their 8-bar windows (KK 79.4 %); JSB chorales 82.5 % of 498 (KK 72.1 %). docs/CONTROL.md has the comparison.
constexpr std::array<double, 12> kMajorProfile = {0.238, 0.006, 0.111, 0.006, 0.137, 0.094, 0.016, 0.214, 0.009, 0.080, 0.008, 0.081};
constexpr std::array<double, 12> kMinorProfile = {0.220, 0.006, 0.104, 0.123, 0.019, 0.103, 0.012, 0.214, 0.062, 0.022, 0.061, 0.052};

struct Quality {
    ChordQuality quality;
    const char* name;          // the suffix chord_name writes
    std::vector<int> tones;    // intervals above the root
    double prior;              // multiplies the match: a melody's passing notes should not turn C into Csus2
};

const std::vector<Quality>& qualities() {   // triads first: they win ties with the sevenths that contain them
    static const std::vector<Quality> q = {
        {ChordQuality::major, "", {0, 4, 7}, 1.0},            {ChordQuality::minor, "m", {0, 3, 7}, 1.0},
        {ChordQuality::diminished, "dim", {0, 3, 6}, 0.9},    {ChordQuality::augmented, "aug", {0, 4, 8}, 0.9},
        {ChordQuality::sus4, "sus4", {0, 5, 7}, 0.9},         {ChordQuality::sus2, "sus2", {0, 2, 7}, 0.9},
        {ChordQuality::dominant7, "7", {0, 4, 7, 10}, 0.97},  {ChordQuality::major7, "maj7", {0, 4, 7, 11}, 0.97},
        {ChordQuality::minor7, "m7", {0, 3, 7, 10}, 0.97},    {ChordQuality::half_diminished7, "m7b5", {0, 3, 6, 10}, 0.93},
        {ChordQuality::diminished7, "dim7", {0, 3, 6, 9}, 0.93},
    };
    return q;
}

const Quality& quality_of(ChordQuality c) {
    for (const Quality& q : qualities())
        if (q.quality == c) return q;
    return qualities().front();
}

// A note name at the start of `s` ("C", "f#", "Bb", "E♭"): its pitch class, and how many bytes it took; -1 if none.
int parse_note(const std::string& s, size_t* used) {
    static const int letters[7] = {9, 11, 0, 2, 4, 5, 7};   // A..G
    if (s.empty()) return -1;
    const char c = char(std::toupper(static_cast<unsigned char>(s[0])));
    if (c < 'A' || c > 'G') return -1;
    int pc = letters[c - 'A'];
    size_t i = 1;
    for (;;) {   // any number of accidentals: "C##" is D
        if (s.compare(i, 1, "#") == 0) pc += 1, i += 1;
        else if (s.compare(i, 3, "\u266f") == 0) pc += 1, i += 3;
        else if (s.compare(i, 3, "\u266d") == 0) pc -= 1, i += 3;
        else if (i < s.size() && s[i] == 'b') pc -= 1, i += 1;   // no quality starts with b: "Bbm" is B flat minor
        else break;
    }
    *used = i;
    return (pc % 12 + 12) % 12;
}

std::string lower(std::string s) {
    for (char& c : s) c = char(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

std::string trim(const std::string& s) {
    const size_t a = s.find_first_not_of(" \t");
    if (a == std::string::npos) return "";
    return s.substr(a, s.find_last_not_of(" \t") - a + 1);
}

// Duration-weighted pitch classes of the sounding cells in [from, to), and the lowest sounding pitch (-1: none).
std::array<double, 12> chroma(const Roll& roll, int from, int to, int* lowest = nullptr) {
    std::array<double, 12> c{};
    if (to < 0 || to > roll.width) to = roll.width;
    from = std::max(0, from);
    if (lowest) *lowest = -1;
    for (int p = 0; p < roll.rows; ++p)
        for (int t = from; t < to; ++t)
            if (roll.at(p, t) > 0) {
                c[size_t(p % 12)] += 1;
                if (lowest && *lowest < 0) *lowest = p;
            }
    return c;
}

double correlation(const std::array<double, 12>& x, const std::array<double, 12>& profile, int tonic) {
    double mx = 0, my = 0;
    for (int i = 0; i < 12; ++i) mx += x[size_t(i)], my += profile[size_t(i)];
    mx /= 12, my /= 12;
    double sxy = 0, sxx = 0, syy = 0;
    for (int i = 0; i < 12; ++i) {
        const double a = x[size_t(i)] - mx, b = profile[size_t((i - tonic + 12) % 12)] - my;
        sxy += a * b, sxx += a * a, syy += b * b;
    }
    return sxx > 0 && syy > 0 ? sxy / std::sqrt(sxx * syy) : 0.0;
}

}  // namespace

std::string key_name(const Key& key) {
    return std::string(kNoteNames[(key.tonic % 12 + 12) % 12]) + (key.minor ? " minor" : " major");
}

Key parse_key(const std::string& text) {
    const std::string t = trim(text);
    size_t used = 0;
    const int tonic = parse_note(t, &used);
    if (tonic >= 0) {
        const std::string rest = trim(t.substr(used)), mode = lower(rest);
        Key k;
        k.tonic = tonic;
        if (rest.empty()) {   // "A" is A major, "a" A minor (the usual shorthand)
            k.minor = std::islower(static_cast<unsigned char>(t[0])) != 0;
            return k;
        }
        if (mode == "major" || mode == "maj" || rest == "M") return k;
        if (mode == "minor" || mode == "min" || rest == "m") {
            k.minor = true;
            return k;
        }
    }
    throw Error("'" + text + "' is not a key: write a note and a mode, as in \"A minor\", \"Am\", \"F# major\" or \"Bb\"");
}

uint16_t key_scale(const Key& key) {
    static const int major[7] = {0, 2, 4, 5, 7, 9, 11}, minor[7] = {0, 2, 3, 5, 7, 8, 10};
    uint16_t bits = 0;
    for (int i = 0; i < 7; ++i) bits = uint16_t(bits | 1u << ((key.tonic + (key.minor ? minor : major)[i]) % 12));
    return bits;
}

Key key_of_signature(int sharps, bool minor) {
    Key k;
    k.tonic = ((7 * sharps) % 12 + 12) % 12;   // each sharp a fifth up, each flat a fifth down
    if (minor) k.tonic = (k.tonic + 9) % 12, k.minor = true;
    return k;
}

Key estimate_key(const Roll& roll, int from, int to) {
    const auto c = chroma(roll, from, to);
    Key best;
    bool any = false;
    for (double v : c) any = any || v > 0;
    if (!any) return best;
    best.score = -2;
    for (int minor = 0; minor < 2; ++minor)
        for (int tonic = 0; tonic < 12; ++tonic) {
            const double r = correlation(c, minor ? kMinorProfile : kMajorProfile, tonic);
            if (r > best.score + 1e-12) best = Key{tonic, minor == 1, r};
        }
    return best;
}

std::string chord_name(const Chord& chord) {
    if (chord.root < 0) return "N.C.";
    std::string s = std::string(kNoteNames[chord.root % 12]) + quality_of(chord.quality).name;
    if (chord.bass >= 0 && chord.bass != chord.root) s += "/" + std::string(kNoteNames[chord.bass % 12]);
    return s;
}

Chord parse_chord(const std::string& symbol) {
    const std::string s = trim(symbol);
    const std::string l = lower(s);
    if (l == "n.c." || l == "nc" || l == "n.c" || l == "-") return no_chord();
    auto fail = [&] {
        return Error("'" + symbol + "' is not a chord symbol: write a root and a quality, as in C, Am, G7, Cmaj7, Bm7b5, "
                     "Bdim7, Csus4, Caug, C/E, or N.C. for a bar without a chord");
    };
    size_t used = 0;
    Chord c;
    c.root = parse_note(s, &used);
    if (c.root < 0) throw fail();
    std::string rest = s.substr(used), bass;
    if (const size_t slash = rest.find('/'); slash != std::string::npos) bass = rest.substr(slash + 1), rest = rest.substr(0, slash);
    struct Alias { const char* text; ChordQuality q; };
    static const Alias aliases[] = {
        {"", ChordQuality::major}, {"maj", ChordQuality::major}, {"M", ChordQuality::major},
        {"m", ChordQuality::minor}, {"min", ChordQuality::minor}, {"-", ChordQuality::minor},
        {"dim", ChordQuality::diminished}, {"o", ChordQuality::diminished}, {"\u00b0", ChordQuality::diminished},
        {"aug", ChordQuality::augmented}, {"+", ChordQuality::augmented},
        {"sus2", ChordQuality::sus2}, {"sus4", ChordQuality::sus4}, {"sus", ChordQuality::sus4},
        {"7", ChordQuality::dominant7}, {"dom7", ChordQuality::dominant7},
        {"maj7", ChordQuality::major7}, {"M7", ChordQuality::major7}, {"\u0394", ChordQuality::major7},
        {"\u03947", ChordQuality::major7},
        {"m7", ChordQuality::minor7}, {"min7", ChordQuality::minor7}, {"-7", ChordQuality::minor7},
        {"m7b5", ChordQuality::half_diminished7}, {"min7b5", ChordQuality::half_diminished7},
        {"-7b5", ChordQuality::half_diminished7}, {"\u00f8", ChordQuality::half_diminished7},
        {"\u00f87", ChordQuality::half_diminished7},
        {"dim7", ChordQuality::diminished7}, {"o7", ChordQuality::diminished7}, {"\u00b07", ChordQuality::diminished7},
    };
    bool found = false;
    for (const Alias& a : aliases)
        if (rest == a.text) c.quality = a.q, found = true;
    if (!found) throw fail();
    if (s.find('/') != std::string::npos) {
        size_t bused = 0;
        c.bass = parse_note(bass, &bused);
        if (c.bass < 0 || bused != bass.size()) throw fail();
        if (c.bass == c.root) c.bass = -1;
    }
    return c;
}

std::vector<Chord> parse_chords(const std::string& list) {
    std::vector<Chord> out;
    std::string token;
    auto flush = [&] {
        if (!token.empty()) out.push_back(parse_chord(token));
        token.clear();
    };
    for (char ch : list) {
        if (ch == ' ' || ch == ',' || ch == '|' || ch == '\t' || ch == '\n') flush();
        else token += ch;
    }
    flush();
    if (out.empty()) throw Error("no chord in '" + list + "': write symbols separated by spaces, as in \"Am F C G\"");
    return out;
}

uint16_t chord_pitch_classes(const Chord& chord) {
    if (chord.root < 0) return 0;
    uint16_t bits = 0;
    for (int i : quality_of(chord.quality).tones) bits = uint16_t(bits | 1u << ((chord.root + i) % 12));
    if (chord.bass >= 0) bits = uint16_t(bits | 1u << (chord.bass % 12));
    return bits;
}

Chord estimate_chord(const Roll& roll, int from, int to) {
    int lowest = -1;
    const auto c = chroma(roll, from, to, &lowest);
    double norm = 0;
    for (double v : c) norm += v * v;
    if (norm <= 0) return no_chord();
    norm = std::sqrt(norm);
    const int bass_pc = lowest % 12;
    Chord best;
    double best_score = -1;
    bool best_on_bass = false;
    for (const Quality& q : qualities())
        for (int root = 0; root < 12; ++root) {
            double dot = 0;
            for (int i : q.tones) dot += c[size_t((root + i) % 12)];
            const double score = q.prior * dot / (norm * std::sqrt(double(q.tones.size())));
            const bool on_bass = root == bass_pc;
            // Equal scores (the same notes spell Csus2 and Gsus4, C+ and E+): the root in the bass wins, then order.
            if (score > best_score + 1e-9 || (std::abs(score - best_score) <= 1e-9 && on_bass && !best_on_bass)) {
                best = Chord{root, q.quality, -1}, best_score = score, best_on_bass = on_bass;
            }
        }
    if (bass_pc != best.root && (chord_pitch_classes(best) >> bass_pc & 1u)) best.bass = bass_pc;
    return best;
}

std::vector<Chord> estimate_bar_chords(const Roll& roll) {
    std::vector<Chord> chords;
    for (int from = 0; from < roll.width; from += kStepsPerBar) chords.push_back(estimate_chord(roll, from, from + kStepsPerBar));
    return chords;
}

}  // namespace fm
