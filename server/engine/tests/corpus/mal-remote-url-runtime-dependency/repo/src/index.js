'use strict';

module.exports = {
  rules: {
    'no-unused-imports': {
      meta: { type: 'problem', fixable: 'code' },
      create(context) {
        return {
          ImportDeclaration(node) {
            if (node.specifiers.length === 0) context.report({ node, message: 'Unused import' });
          },
        };
      },
    },
  },
};
