"use strict";
/**
 * The wire shapes shared with the Python side (docs/CONTRACTS.md): run snapshots, the DAG, MIME types and
 * the review answer. Pure types and constants, so every other module can use them without JupyterLab.
 */
Object.defineProperty(exports, "__esModule", { value: true });
exports.RUN_MIME_TYPE = exports.DAG_MIME_TYPE = void 0;
exports.DAG_MIME_TYPE = 'application/vnd.sagemaker-ack.dag+json';
exports.RUN_MIME_TYPE = 'application/vnd.sagemaker-ack.run+json';
