'use strict';

function changedPaths(files, prefix) {
  return files.filter((f) => f.startsWith(prefix)).sort();
}

module.exports = { changedPaths };
