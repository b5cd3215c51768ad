import ArgumentParser
import NumericCore

RLSynCommand.main()
