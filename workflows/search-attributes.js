// The search attributes builds are indexed by in the Temporal Web UI. The lab registers
// the same names from src/temporal/search-attributes.json (a test keeps them equal).
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
export const WharfRepository = defineSearchAttributeKey('WharfRepository', SearchAttributeType.KEYWORD);
export const WharfBranch = defineSearchAttributeKey('WharfBranch', SearchAttributeType.KEYWORD);
export const WharfEnvironment = defineSearchAttributeKey('WharfEnvironment', SearchAttributeType.KEYWORD);
export const WharfBuildStatus = defineSearchAttributeKey('WharfBuildStatus', SearchAttributeType.KEYWORD);
export const WharfFile = defineSearchAttributeKey('WharfFile', SearchAttributeType.KEYWORD);
export const ALL_SEARCH_ATTRIBUTES = [WharfRepository, WharfBranch, WharfEnvironment, WharfBuildStatus, WharfFile];
