"use strict";
var __importDefault = (this && this.__importDefault) || function (mod) {
    return (mod && mod.__esModule) ? mod : { "default": mod };
};
Object.defineProperty(exports, "__esModule", { value: true });
const strict_1 = __importDefault(require("node:assert/strict"));
const node_test_1 = require("node:test");
const format_1 = require("../src/format");
(0, node_test_1.test)('durations read as a person would say them', () => {
    strict_1.default.equal((0, format_1.formatDuration)(0), '0s');
    strict_1.default.equal((0, format_1.formatDuration)(42900), '42s');
    strict_1.default.equal((0, format_1.formatDuration)(185000), '3m 05s');
    strict_1.default.equal((0, format_1.formatDuration)(2 * 3600000 + 7 * 60000), '2h 07m');
    strict_1.default.equal((0, format_1.formatDuration)(3 * 86400000 + 4 * 3600000), '3d 04h');
});
(0, node_test_1.test)('missing or negative durations show nothing', () => {
    strict_1.default.equal((0, format_1.formatDuration)(null), '');
    strict_1.default.equal((0, format_1.formatDuration)(-5), '');
    strict_1.default.equal((0, format_1.formatDuration)(Number.NaN), '');
});
(0, node_test_1.test)('elapsed uses the end time, or now while running', () => {
    strict_1.default.equal((0, format_1.elapsed)('2026-01-01T00:00:00Z', '2026-01-01T00:01:30Z'), '1m 30s');
    const now = Date.parse('2026-01-01T00:00:10Z');
    strict_1.default.equal((0, format_1.elapsed)('2026-01-01T00:00:00Z', null, now), '10s');
    strict_1.default.equal((0, format_1.elapsed)(null, null), '');
    strict_1.default.equal((0, format_1.elapsed)('not a time', null), '');
});
(0, node_test_1.test)('short ARNs keep the last two resource parts', () => {
    strict_1.default.equal((0, format_1.shortArn)('arn:aws:sagemaker:us-east-1:123456789012:pipeline/train/execution/abc123'), 'execution/abc123');
    strict_1.default.equal((0, format_1.shortArn)('arn:aws:sagemaker:us-east-1:123456789012:processing-job/prep'), 'processing-job/prep');
    strict_1.default.equal((0, format_1.shortArn)(null), '');
});
(0, node_test_1.test)('progress mentions failures and running steps only when there are some', () => {
    strict_1.default.equal((0, format_1.formatProgress)({ total: 4, succeeded: 4, failed: 0, running: 0 }), '4/4 steps');
    strict_1.default.equal((0, format_1.formatProgress)({ total: 5, succeeded: 2, failed: 1, running: 1 }), '2/5 steps (1 running, 1 failed)');
});
(0, node_test_1.test)('findings summary counts by severity, errors first', () => {
    strict_1.default.equal((0, format_1.summariseFindings)([]), 'No findings');
    strict_1.default.equal((0, format_1.summariseFindings)([{ severity: 'warning' }, { severity: 'error' }, { severity: 'ERROR' }]), '2 errors, 1 warning');
});
