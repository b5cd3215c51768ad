import ArgumentParser
import NumericCore

// Reuse freed matrices instead of page-faulting them back in (see AllocatorTuning).
AllocatorTuning.keepFreedMemory()
RLSynCommand.main()
