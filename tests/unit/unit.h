/*
 * unit.h: what every cmocka unit test includes. cmocka needs its
 * prerequisites before it, in this order; keep this file that small.
 */
#ifndef KITH_UNIT_H
#define KITH_UNIT_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "kith.h"

#endif
