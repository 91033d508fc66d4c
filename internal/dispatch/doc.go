// Package dispatch is the one hook dispatch of transmute: the manager of
// package core runs its hooks through a [Set], and so does a composite
// hook, so both give the same guarantees:
//
//   - BeforeMigrate, BeforeStep and BeforeBatch run in order, each getting
//     the ctx the previous one returned;
//   - AfterMigrate, OnError, AfterStep and AfterBatch run in reverse order
//     (onion), each with the ctx that its own Before returned;
//   - every hook whose Before ran gets exactly one After or OnError;
//   - a panicking hook is recovered and reported, and the others still run
//     (unless [Options.Repanic] is set, for tests).
//
// The package is generic over the hook contract's types (event, record,
// step, batch) so that it does not import core, which imports it.
package dispatch
