// The fuzz test lives in test/fuzz/; importing it here makes it part of the unit layer that CI runs.
import '../../fuzz/lint.fuzz.test';
