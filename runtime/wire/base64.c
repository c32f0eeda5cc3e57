#include "kafka/json.h"

static const char std_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char url_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

size_t kafka_base64_encoded_len(size_t n, bool url_unpadded) {
    size_t full = n / 3 * 4;
    size_t tail = n % 3;
    if (tail == 0)
        return full;
    return full + (url_unpadded ? tail + 1 : 4);
}

size_t kafka_base64_encode(const uint8_t *in, size_t n, bool url_unpadded, char *out) {
    const char *abc = url_unpadded ? url_alphabet : std_alphabet;
    size_t o = 0, i = 0;
    for (; i + 3 <= n; i += 3) {
        uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
        out[o++] = abc[v >> 18];
        out[o++] = abc[(v >> 12) & 63];
        out[o++] = abc[(v >> 6) & 63];
        out[o++] = abc[v & 63];
    }
    size_t tail = n - i;
    if (tail) {
        uint32_t v = (uint32_t)in[i] << 16 | (tail == 2 ? (uint32_t)in[i + 1] << 8 : 0);
        out[o++] = abc[v >> 18];
        out[o++] = abc[(v >> 12) & 63];
        if (tail == 2)
            out[o++] = abc[(v >> 6) & 63];
        if (!url_unpadded) {
            if (tail == 1)
                out[o++] = '=';
            out[o++] = '=';
        }
    }
    return o;
}

/* 0..63, or -1 for a character of neither alphabet. Both alphabets are
 * accepted so either form of a value decodes. */
static int sextet(unsigned char c) {
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+' || c == '-')
        return 62;
    if (c == '/' || c == '_')
        return 63;
    return -1;
}

int64_t kafka_base64_decode(const char *in, size_t n, uint8_t *out) {
    /* Padding, when present, must complete the last group of four. */
    size_t pad = 0;
    while (pad < 2 && pad < n && in[n - 1 - pad] == '=')
        pad++;
    if (pad && n % 4 != 0)
        return -1;
    size_t data = n - pad;
    /* One leftover character cannot encode a byte. */
    if (data % 4 == 1)
        return -1;

    size_t o = 0;
    uint32_t acc = 0;
    unsigned bits = 0;
    for (size_t i = 0; i < data; i++) {
        int s = sextet((unsigned char)in[i]);
        if (s < 0)
            return -1; /* includes '=' anywhere but the end */
        acc = (acc << 6) | (uint32_t)s;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[o++] = (uint8_t)(acc >> bits);
            acc &= (1u << bits) - 1;
        }
    }
    /* Leftover low bits of the last character are ignored, as Java's
     * decoder does. */
    return (int64_t)o;
}
