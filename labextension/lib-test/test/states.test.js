"use strict";
var __importDefault = (this && this.__importDefault) || function (mod) {
    return (mod && mod.__esModule) ? mod : { "default": mod };
};
Object.defineProperty(exports, "__esModule", { value: true });
const strict_1 = __importDefault(require("node:assert/strict"));
const node_test_1 = require("node:test");
const states_1 = require("../src/states");
(0, node_test_1.test)('every wire state has its own tone', () => {
    strict_1.default.equal((0, states_1.toneOf)('Pending'), 'pending');
    strict_1.default.equal((0, states_1.toneOf)('Starting'), 'running');
    strict_1.default.equal((0, states_1.toneOf)('Executing'), 'running');
    strict_1.default.equal((0, states_1.toneOf)('Stopping'), 'stopping');
    strict_1.default.equal((0, states_1.toneOf)('Succeeded'), 'succeeded');
    strict_1.default.equal((0, states_1.toneOf)('Failed'), 'failed');
    strict_1.default.equal((0, states_1.toneOf)('Stopped'), 'stopped');
    strict_1.default.equal((0, states_1.toneOf)('Unknown'), 'unknown');
    strict_1.default.equal((0, states_1.toneOf)('SomethingNew'), 'unknown');
    strict_1.default.equal((0, states_1.toneOf)(null), 'unknown');
});
(0, node_test_1.test)('failed and succeeded steps are told apart by colour', () => {
    strict_1.default.notEqual((0, states_1.styleOf)('Failed').fill, (0, states_1.styleOf)('Succeeded').fill);
    strict_1.default.notEqual((0, states_1.styleOf)('Executing').stroke, (0, states_1.styleOf)('Pending').stroke);
    strict_1.default.equal((0, states_1.stateClass)('Executing'), 'jp-SageMakerAck-state-running');
});
(0, node_test_1.test)('only outcomes are final; a run with an outcome is no longer active', () => {
    strict_1.default.ok((0, states_1.isFinal)('Succeeded') && (0, states_1.isFinal)('Failed') && (0, states_1.isFinal)('Stopped'));
    strict_1.default.ok(!(0, states_1.isFinal)('Stopping') && !(0, states_1.isFinal)('Executing') && !(0, states_1.isFinal)('Unknown'));
    strict_1.default.ok((0, states_1.isActive)({ status: 'Executing' }));
    strict_1.default.ok(!(0, states_1.isActive)({ status: 'Executing', outcome: 'Failed' }));
    strict_1.default.ok(!(0, states_1.isActive)({ status: 'Succeeded' }));
});
