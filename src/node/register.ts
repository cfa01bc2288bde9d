/** Importing this module makes Node the platform the core runs on (the package root does it first). */
import { usePlatform } from '../platform/index.js';
import { nodePlatform } from './platform.js';

usePlatform(nodePlatform);
