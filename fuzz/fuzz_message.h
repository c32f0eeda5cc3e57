/* The body shared by every generated per-message fuzz harness: decode the
 * input as one message and check that every conversion the codec offers
 * agrees with the others. */
#ifndef KGW_FUZZ_MESSAGE_H
#define KGW_FUZZ_MESSAGE_H

#include <stddef.h>
#include <stdint.h>

#include "kafka/codec.h"

/* The first input byte picks the version (min + data[0] % number of
 * versions); the rest is decoded as that version. A decode failure is fine;
 * a decoded message that does not survive size/encode/decode/JSON round
 * trips is reported on stderr and abort()s. Always returns 0. */
int kafka_fuzz_message(const kafka_msg_vtable_t *vt, const uint8_t *data, size_t size);

/* libFuzzer's entry point, defined by each harness. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
